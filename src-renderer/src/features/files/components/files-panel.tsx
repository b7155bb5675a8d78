import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import type { ContainerFileTextView, ContainerFileView } from '../../../../../src-shared/ipc/models/container-data';
import { EmptyState, ErrorState, InlineError, Loading } from '../../../components/state-views';
import { useBridge } from '../../../lib/bridge-context';
import { fileToBase64, saveDownload } from '../../../lib/download';
import type { ContainerTabProps } from '../../../lib/extension-points';
import { containerFilesQueryOptions, useContainerFiles } from '../api/container-files';

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function parent(dir: string): string {
  const i = dir.lastIndexOf('/');
  return i <= 0 ? '/' : dir.slice(0, i);
}

function humanSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/**
 * The container's filesystem as the container sees it (volumes and binds included): browse
 * folders, view a text file, download a file or a folder (as a tar), upload a file into the
 * folder shown. Everything goes through the engine's archive API over the host's connection.
 */
export function FilesPanel({ hostId, containerId, visible }: ContainerTabProps): ReactNode {
  const bridge = useBridge();
  const qc = useQueryClient();
  const [path, setPath] = useState('/');
  const [viewing, setViewing] = useState<{ path: string; content?: ContainerFileTextView; error?: unknown } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const upload = useRef<HTMLInputElement>(null);
  const list = useContainerFiles(hostId, containerId, path, visible);

  const open = (entry: ContainerFileView): void => {
    const p = join(path, entry.name);
    if (entry.kind === 'dir') {
      setViewing(undefined);
      setPath(p);
      return;
    }
    setViewing({ path: p });
    bridge.invoke('containers:file-text', { hostId, id: containerId, path: p }).then(
      (content) => setViewing({ path: p, content }),
      (error: unknown) => setViewing({ path: p, error }),
    );
  };

  const act = async (label: string, work: () => Promise<void>): Promise<void> => {
    setBusy(label);
    setActionError(undefined);
    setNotice(undefined);
    try {
      await work();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  };

  const download = (entry: ContainerFileView): Promise<void> =>
    act(`Downloading ${entry.name}`, async () => saveDownload(await bridge.invoke('containers:download', { hostId, id: containerId, path: join(path, entry.name), dir: entry.kind === 'dir' })));

  const onUpload = (files: FileList | null): void => {
    const file = files?.[0];
    if (!file) return;
    void act(`Uploading ${file.name}`, async () => {
      await bridge.invoke('containers:upload', { hostId, id: containerId, dir: path, name: file.name, base64: await fileToBase64(file) });
      setNotice(`Uploaded ${file.name} to ${path}`);
      await qc.invalidateQueries({ queryKey: containerFilesQueryOptions(bridge, hostId, containerId, path).queryKey });
    });
    if (upload.current) upload.current.value = '';
  };

  return (
    <div data-testid="files-panel" className="files-panel">
      <div className="toolbar">
        <button type="button" disabled={path === '/'} onClick={() => setPath(parent(path))} aria-label="Up one folder">
          ↑ Up
        </button>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const v = new FormData(e.currentTarget).get('path');
            if (typeof v === 'string' && v.startsWith('/')) setPath(v.replace(/\/+$/, '') || '/');
          }}
        >
          <input key={path} name="path" defaultValue={path} aria-label="Folder path" className="mono" />
        </form>
        <div className="spacer" />
        <label className="button">
          Upload file…
          <input ref={upload} type="file" aria-label="Upload file" hidden onChange={(e) => onUpload(e.currentTarget.files)} />
        </label>
      </div>
      {busy ? <p className="hint">{busy}…</p> : null}
      {notice ? (
        <p className="hint" role="status">
          {notice}
        </p>
      ) : null}
      <InlineError error={actionError} />
      {list.isPending ? <Loading label="Reading folder…" /> : null}
      {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} /> : null}
      {list.data && list.data.length === 0 ? <EmptyState title="Empty folder" /> : null}
      {list.data && list.data.length > 0 ? (
        <table className="table files-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Mode</th>
              <th>Modified</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.data.map((f) => (
              <tr key={f.name} data-testid="file-row" data-name={f.name}>
                <td>
                  {f.kind === 'symlink' ? (
                    <span className="mono">
                      {f.name} → {f.linkTarget}
                    </span>
                  ) : (
                    <button type="button" className="link-button mono" onClick={() => open(f)}>
                      {f.kind === 'dir' ? `${f.name}/` : f.name}
                    </button>
                  )}
                </td>
                <td>{f.kind === 'file' ? humanSize(f.size) : ''}</td>
                <td className="mono">{f.mode}</td>
                <td>{new Date(f.modified).toLocaleString()}</td>
                <td>
                  {f.kind === 'file' || f.kind === 'dir' ? (
                    <button type="button" disabled={busy !== undefined} onClick={() => void download(f)} aria-label={`Download ${f.name}`}>
                      Download
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {viewing ? (
        <section className="file-viewer" aria-label={`Content of ${viewing.path}`}>
          <h3 className="mono">{viewing.path}</h3>
          {viewing.error ? <InlineError error={viewing.error} /> : null}
          {!viewing.content && !viewing.error ? <Loading label="Reading file…" /> : null}
          {viewing.content?.binary ? <p className="hint">Binary file ({humanSize(viewing.content.size)}): download it instead.</p> : null}
          {viewing.content && !viewing.content.binary ? (
            <>
              <pre data-testid="file-viewer" className="mono">
                {viewing.content.text}
              </pre>
              {viewing.content.truncated ? <p className="hint">Showing the first MiB of {humanSize(viewing.content.size)}.</p> : null}
            </>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
