import { useState, type ReactNode } from 'react';
import { Eraser } from 'lucide-react';
import { Button } from '../../../components/button';
import type { DiskCategory, DiskRowView } from '../model/dashboard-mapper';
import { PruneCategoryDialog } from './prune-category-dialog';

/**
 * `docker system df` as a table with a Prune per row. Raw byte counts ride along in data-
 * attributes so tests compare them with the CLI exactly, not through rounding.
 */
export function DiskUsageTable({ hostId, rows }: { hostId: string; rows: readonly DiskRowView[] }): ReactNode {
  const [pruning, setPruning] = useState<DiskCategory | null>(null);
  return (
    <>
      <table className="list" aria-label="Disk usage">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col" className="num">Total (in use)</th>
            <th scope="col" className="num">Size</th>
            <th scope="col" className="num">Reclaimable</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.category} data-disk-category={r.category} data-total={r.total} data-active={r.active} data-size-bytes={r.sizeBytes} data-reclaimable-bytes={r.reclaimableBytes}>
              <th scope="row">{r.label}</th>
              <td className="num">{r.countLabel}</td>
              <td className="num">{r.size}</td>
              <td className="num">{r.reclaimable}</td>
              <td className="actions">
                <Button size="sm" icon={Eraser} aria-label={`Prune ${r.label.toLowerCase()}`} onClick={() => setPruning(r.category)}>
                  Prune
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pruning ? <PruneCategoryDialog key={pruning} hostId={hostId} category={pruning} onClose={() => setPruning(null)} /> : null}
    </>
  );
}
