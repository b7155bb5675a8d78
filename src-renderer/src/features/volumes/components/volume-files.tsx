import { useMemo, useState, type ReactNode } from 'react';
import { ArrowLeft, File, Folder, Link2 } from 'lucide-react';
import { Button } from '../../../components/button';
import { DataTable, type ColumnDef } from '../../../components/data-table';
import { EmptyState, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { formatAgo, formatBytes } from '../../../lib/format';
import { hrefFor, navigate } from '../../../lib/navigation';
import type { VolumeFileEntryView } from '../../../../../src-shared/ipc/models/volumes';
import { useVolumeFile, useVolumeFiles, useVolumes } from '../api/volume-queries';
import { breadcrumbs, joinPath, modeString } from '../model/volume-mapper';

const ICONS = { dir: Folder, file: File, symlink: Link2, other: File } as const;

function FileViewer({ hostId, name, path }: { hostId: string; name: string; path: string }): ReactNode {
  const file = useVolumeFile(hostId, name, path);
  return (
    <section className="panel" aria-label={`File ${path}`}>
      <h2 className="mono">{path}</h2>
      <QueryView query={file} loadingLabel="Reading…">
        {(f) =>
          f.text === null ? (
            <p className="hint">Binary file, {formatBytes(f.size)}: not shown.</p>
          ) : (
            <>
              <pre className="file-view" data-testid="volume-file-text">
                {f.text}
              </pre>
              {f.truncated ? <p className="hint">Showing the first {formatBytes(f.text.length)} of {formatBytes(f.size)}.</p> : null}
            </>
          )
        }
      </QueryView>
    </section>
  );
}

/**
 * Browses one volume's files (read-only) through Berth's volume file endpoints: directories open
 * in place, a text file shows below the list. Works over SSH as every other call does.
 */
export function VolumeFiles({ name, path }: { name: string; path: string }): ReactNode {
  const { hostId } = useActiveHost();
  const listing = useVolumeFiles(hostId, name, path);
  const volume = useVolumes(hostId).data?.find((v) => v.name === name);
  const [open, setOpen] = useState<string | null>(null);
  const now = Date.now();
  const columns = useMemo<ColumnDef<VolumeFileEntryView, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        accessorFn: (e) => e.name,
        cell: ({ row: { original: e } }) => {
          const Icon = ICONS[e.type];
          const label = (
            <>
              <Icon size={14} aria-hidden="true" /> {e.name}
              {e.linkTarget !== undefined ? <span className="hint"> → {e.linkTarget}</span> : null}
            </>
          );
          if (e.type === 'dir') {
            return (
              <a className="link-button mono" href={hrefFor('volumes', name, joinPath(path, e.name))}>
                {label}
              </a>
            );
          }
          if (e.type === 'file') {
            return (
              <button type="button" className="link-button mono" onClick={() => setOpen(joinPath(path, e.name))}>
                {label}
              </button>
            );
          }
          return <span className="mono">{label}</span>;
        },
      },
      { id: 'size', header: 'Size', accessorFn: (e) => e.size, meta: { width: '100px', align: 'right' }, cell: ({ row }) => (row.original.type === 'dir' ? '—' : formatBytes(row.original.size)) },
      { id: 'mode', header: 'Mode', accessorFn: (e) => e.mode, meta: { width: '120px', className: 'mono' }, cell: ({ row }) => modeString(row.original.type, row.original.mode) },
      { id: 'owner', header: 'Owner', accessorFn: (e) => `${e.uid}:${e.gid}`, meta: { width: '100px', className: 'mono' } },
      { id: 'mtime', header: 'Modified', accessorFn: (e) => e.mtime, meta: { width: '140px' }, cell: ({ row }) => formatAgo(row.original.mtime, now) },
    ],
    [name, path, now],
  );

  return (
    <section data-testid="volume-files">
      <div className="view-header">
        <Button icon={ArrowLeft} size="sm" variant="ghost" onClick={() => navigate('volumes')}>
          Volumes
        </Button>
        <h1 className="mono">{name}</h1>
        {volume ? <span className="hint">{`${volume.size === null ? '' : formatBytes(volume.size)} at ${volume.mountpoint}`}</span> : null}
      </div>
      <nav aria-label="Path" className="breadcrumbs mono">
        {breadcrumbs(path).map((b, i) => (
          <span key={b.path}>
            {i > 1 ? ' / ' : ' '}
            <a className="link-button" href={hrefFor('volumes', name, b.path)} aria-current={b.path === path ? 'page' : undefined}>
              {b.label}
            </a>
          </span>
        ))}
      </nav>
      <QueryView query={listing} loadingLabel="Listing…">
        {(l) => (
          <>
            <DataTable
              label="Files"
              data={l.entries}
              columns={columns}
              getRowId={(e) => e.name}
              initialSort={[{ id: 'name', desc: false }]}
              rowProps={(e) => ({ 'data-file': e.name })}
              empty={<EmptyState title="Empty directory" />}
              maxHeight="45vh"
            />
            {l.truncated ? <p className="hint">Only the first entries are shown.</p> : null}
          </>
        )}
      </QueryView>
      {open ? <FileViewer key={open} hostId={hostId} name={name} path={open} /> : null}
    </section>
  );
}
