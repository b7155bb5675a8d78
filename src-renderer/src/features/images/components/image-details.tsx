import { useMemo, useState, type ReactNode } from 'react';
import { JsonView } from '../../../components/json-view';
import { KeyValueList } from '../../../components/key-value-list';
import { Pid1Warning } from '../../../components/pid1-warning';
import { EmptyState, ErrorState, Loading, QueryView } from '../../../components/state-views';
import { TabPanel, Tabs, type TabDef } from '../../../components/tabs';
import { useActiveHost } from '../../../lib/active-host';
import { describeError } from '../../../lib/describe-error';
import { hrefFor } from '../../../lib/navigation';
import { useNow } from '../../../lib/use-now';
import { useImageHistory } from '../api/get-image-history';
import { useImageLayers } from '../api/get-image-layers';
import { useImage } from '../../../lib/image-queries';
import { useImageEvents } from '../hooks/use-image-events';
import { toHistoryRows, toImageDetailPage, toLayerRows } from '../model/image-mapper';

type TabId = 'layers' | 'history' | 'inspect';
const TABS: readonly TabDef<TabId>[] = [
  { id: 'layers', label: 'Layers' },
  { id: 'history', label: 'History' },
  { id: 'inspect', label: 'Inspect' },
];

function LayersTab({ hostId, imageRef }: { hostId: string; imageRef: string }): ReactNode {
  const query = useImageLayers(hostId, imageRef);
  const rows = useMemo(() => (query.data ? toLayerRows(query.data) : []), [query.data]);
  return (
    <QueryView query={query} loadingLabel="Reading layers…" isEmpty={(d) => d.layers.length === 0} empty={<EmptyState title="No layers" />}>
      {(data) => (
        <>
          <p className="hint">Read-only layers, bottom first. A layer shared with other images is stored once and never deleted while one of them uses it.</p>
          {data.source === 'computed' ? <p className="hint">This daemon does not report layer sizes.</p> : null}
          <table className="list" aria-label="Layers">
            <thead>
              <tr>
                <th>#</th>
                <th>Diff ID</th>
                <th style={{ textAlign: 'right' }}>Size</th>
                <th>Created by</th>
                <th>Shared</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.key}>
                  <td className="num">{l.index}</td>
                  <td className="mono">{l.diffId}</td>
                  <td className="num">{l.size}</td>
                  <td className="mono">{l.createdBy}</td>
                  <td className={l.shared ? 'layer-shared' : 'hint'}>{l.sharedWith}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </QueryView>
  );
}

function HistoryTab({ hostId, imageRef }: { hostId: string; imageRef: string }): ReactNode {
  const query = useImageHistory(hostId, imageRef);
  const now = useNow(60_000);
  const rows = useMemo(() => (query.data ? toHistoryRows(query.data, now) : []), [query.data, now]);
  return (
    <QueryView query={query} loadingLabel="Reading history…" isEmpty={(d) => d.length === 0} empty={<EmptyState title="No history" />}>
      {() => (
        <table className="list" aria-label="History">
          <thead>
            <tr>
              <th>Image</th>
              <th>Created</th>
              <th>Created by</th>
              <th style={{ textAlign: 'right' }}>Size</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h) => (
              <tr key={h.key} className={h.empty ? 'hint' : undefined}>
                <td className="mono">{h.id}</td>
                <td>{h.created}</td>
                <td className="mono">{h.createdBy}</td>
                <td className="num">{h.size}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </QueryView>
  );
}

export function ImageDetails({ imageRef }: { imageRef: string }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useImage(hostId, imageRef);
  useImageEvents(hostId);
  const [tab, setTab] = useState<TabId>('layers');
  const back = (
    <a href={hrefFor('images')} className="link-button">
      ← Images
    </a>
  );
  if (query.isPending) return <Loading label="Loading image…" />;
  if (query.isError && !query.data) {
    return (
      <section>
        {back}
        {describeError(query.error).kind === 'NotFound' ? (
          <EmptyState title="No such image">It may have been removed.</EmptyState>
        ) : (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
        )}
      </section>
    );
  }
  const page = toImageDetailPage(query.data);
  return (
    <section data-testid="image-details">
      {back}
      <div className="view-header">
        <h1 className="mono">{page.title}</h1>
      </div>
      {page.pid1Warning ? <Pid1Warning warning={page.pid1Warning} /> : null}
      <KeyValueList items={page.facts} label="Image facts" />
      <div style={{ height: 16 }} />
      <Tabs tabs={TABS} active={tab} onChange={setTab} label="Image details">
      <TabPanel id="layers">
        <LayersTab hostId={hostId} imageRef={imageRef} />
      </TabPanel>
      <TabPanel id="history">
        <HistoryTab hostId={hostId} imageRef={imageRef} />
      </TabPanel>
      <TabPanel id="inspect">
        <JsonView value={query.data.raw} label="Image inspect JSON" />
      </TabPanel>
      </Tabs>
    </section>
  );
}
