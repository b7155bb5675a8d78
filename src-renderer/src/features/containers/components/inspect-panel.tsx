import type { ReactNode } from 'react';
import { JsonView } from '../../../components/json-view';
import { KeyValueList } from '../../../components/key-value-list';
import type { ContainerOverviewView } from '../model/container-detail-mapper';

export function InspectPanel({ overview, raw }: { overview: ContainerOverviewView; raw: unknown }): ReactNode {
  return (
    <div data-testid="inspect-panel">
      <div className="two-col">
        <div>
          <h3>Container</h3>
          <KeyValueList items={overview.facts} label="Container facts" />
        </div>
        <div>
          <h3>Limits</h3>
          <KeyValueList items={overview.limits} label="Limits" />
        </div>
      </div>
      <h3>Filesystem (overlay)</h3>
      <p className="hint">The image layers (LowerDir, read-only, shared) under this container’s own read-write layer (UpperDir), merged at MergedDir.</p>
      <KeyValueList items={overview.overlay} label="Overlay directories" />
      <h3>Inspect JSON</h3>
      <JsonView value={raw} label="Inspect JSON" />
    </div>
  );
}
