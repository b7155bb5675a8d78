import { extract, pack } from 'tar-stream';
import type { ContainerFileTextView, ContainerFileView, DownloadView } from '../../src-shared/ipc/models/container-data';
import { containerData, type BerthFileEntryDto } from '../engine-client/container-data-client';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';

/** What the Files tab, commit and save/load move through IPC at most (the bytes travel base64-encoded). */
export const TRANSFER_LIMIT = 256 << 20;
/** The text viewer shows at most this much of a file. */
const TEXT_LIMIT = 1 << 20;

const GO_DIR = 2 ** 31;
const GO_SYMLINK = 1 << 27;

function toFileView(e: BerthFileEntryDto): ContainerFileView {
  const kind: ContainerFileView['kind'] = e.Mode >= GO_DIR ? 'dir' : e.Mode & GO_SYMLINK ? 'symlink' : (e.Mode & ~0o7777 & ~((1 << 23) | (1 << 22) | (1 << 20))) === 0 ? 'file' : 'other';
  const perm = e.Mode & 0o777;
  const rwx = [6, 3, 0].map((s) => `${perm & (4 << s) ? 'r' : '-'}${perm & (2 << s) ? 'w' : '-'}${perm & (1 << s) ? 'x' : '-'}`).join('');
  return { name: e.Name, kind, size: e.Size, mode: `${kind === 'dir' ? 'd' : kind === 'symlink' ? 'l' : '-'}${rwx}`, modified: e.Mtime, ...(e.LinkTarget ? { linkTarget: e.LinkTarget } : {}) };
}

/** The first regular file in a tar, for a single-file `GET archive`. */
async function firstFile(tar: Buffer): Promise<{ name: string; data: Buffer } | undefined> {
  const ex = extract();
  let found: { name: string; data: Buffer } | undefined;
  const reading = (async () => {
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      if (!found && e.header.type === 'file') found = { name: e.header.name, data: Buffer.concat(chunks) };
    }
  })();
  ex.end(tar);
  await reading;
  return found;
}

function baseName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.at(-1) ?? 'root';
}

/**
 * The Files tab (browse, view, download, upload), commit, and image save/load, for any host: the
 * bytes go through the Engine API's archive endpoints over the host's connection (unix socket or
 * SSH), so a remote host works the same as the local one.
 */
export class ContainerDataService {
  constructor(private readonly hosts: HostsService) {}

  async list(hostId: string, id: string, path: string): Promise<ContainerFileView[]> {
    const entries = await containerData.listFiles(this.hosts.client(hostId), id, path);
    return entries.map(toFileView).sort((a, b) => Number(b.kind === 'dir') - Number(a.kind === 'dir') || a.name.localeCompare(b.name));
  }

  async readText(hostId: string, id: string, path: string): Promise<ContainerFileTextView> {
    const tar = await containerData.getArchive(this.hosts.client(hostId), id, path, TRANSFER_LIMIT);
    const file = await firstFile(tar);
    if (!file) throw new AppError('InvalidArgument', 'NOT_A_FILE', `${path} is not a regular file`);
    const shown = file.data.subarray(0, TEXT_LIMIT);
    const binary = shown.includes(0) || !isUtf8(shown);
    return { text: binary ? '' : shown.toString('utf8'), size: file.data.length, truncated: file.data.length > TEXT_LIMIT, binary };
  }

  /** A file's bytes, or a folder as a tar. */
  async download(hostId: string, id: string, path: string, isDir: boolean): Promise<DownloadView> {
    const tar = await containerData.getArchive(this.hosts.client(hostId), id, path, TRANSFER_LIMIT);
    if (isDir) return { fileName: `${baseName(path)}.tar`, mimeType: 'application/x-tar', base64: tar.toString('base64') };
    const file = await firstFile(tar);
    if (!file) throw new AppError('InvalidArgument', 'NOT_A_FILE', `${path} is not a regular file`);
    return { fileName: baseName(path), mimeType: 'application/octet-stream', base64: file.data.toString('base64') };
  }

  /** Writes one file into directory `dir` (mode 0644, root-owned, now), refusing to replace a directory. */
  async upload(hostId: string, id: string, dir: string, name: string, base64: string): Promise<void> {
    if (name === '' || name.includes('/') || name === '.' || name === '..') throw new AppError('InvalidArgument', 'INVALID_NAME', `invalid file name ${JSON.stringify(name)}`);
    const data = Buffer.from(base64, 'base64');
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    const done = new Promise<void>((resolve, reject) => {
      p.on('end', () => resolve());
      p.on('error', reject);
    });
    p.entry({ name, size: data.length, mode: 0o644, uid: 0, gid: 0, mtime: new Date() }, data);
    p.finalize();
    await done;
    await containerData.putArchive(this.hosts.client(hostId), id, dir, Buffer.concat(chunks));
  }

  async commit(hostId: string, id: string, opts: { repo?: string; tag?: string; comment?: string; author?: string }): Promise<{ imageId: string }> {
    return { imageId: await containerData.commit(this.hosts.client(hostId), id, opts) };
  }

  async saveImages(hostId: string, refs: string[]): Promise<DownloadView> {
    const tar = await containerData.saveImages(this.hosts.client(hostId), refs, TRANSFER_LIMIT);
    const name = refs.length === 1 ? (refs[0] as string).replace(/[/:@]/g, '_') : 'images';
    return { fileName: `${name}.tar`, mimeType: 'application/x-tar', base64: tar.toString('base64') };
  }

  async loadImages(hostId: string, base64: string): Promise<{ lines: string[] }> {
    return { lines: await containerData.loadImages(this.hosts.client(hostId), Buffer.from(base64, 'base64')) };
  }
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    // A cut at the cap may split a character: accept when only the tail is incomplete.
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, Math.max(0, b.length - 4)));
      return b.length > 4;
    } catch {
      return false;
    }
  }
}
