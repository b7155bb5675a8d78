import type { EngineClient } from './engine-client';
import { readBody } from './engine-http';
import { AppError } from '../lib/app-error';

/** One entry of Berth's `/berth/v1/containers/{id}/files` listing (PascalCase as on the wire). */
export interface BerthFileEntryDto {
  Name: string;
  Size: number;
  Mode: number;
  Mtime: string;
  LinkTarget: string;
}

const enc = encodeURIComponent;

/** Reads a response body into memory, refusing more than `limit` bytes. */
async function readCapped(res: AsyncIterable<unknown> & { destroy: () => void }, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    size += (c as Buffer).length;
    if (size > limit) {
      res.destroy();
      throw new AppError('InvalidArgument', 'TOO_LARGE', `${what} is larger than ${Math.round(limit / (1 << 20))} MiB`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The Engine API calls behind the Files tab, commit, save and load: the archive endpoints work on
 * any engine (and over SSH); only the one-level directory listing is Berth's.
 */
export const containerData = {
  async listFiles(client: EngineClient, id: string, path: string): Promise<BerthFileEntryDto[]> {
    return client.http.json({ method: 'GET', path: `/berth/v1/containers/${enc(id)}/files`, query: { path }, subject: 'container' });
  },

  /** `GET /containers/{id}/archive`: the tar of `path` (capped). */
  async getArchive(client: EngineClient, id: string, path: string, limit: number): Promise<Buffer> {
    const res = await client.http.send({ method: 'GET', path: `/containers/${enc(id)}/archive`, query: { path }, subject: 'container' });
    return readCapped(res, limit, path);
  },

  /** `PUT /containers/{id}/archive`: extracts `tar` into the directory `path`. */
  async putArchive(client: EngineClient, id: string, path: string, tar: Buffer): Promise<void> {
    const res = await client.http.send({ method: 'PUT', path: `/containers/${enc(id)}/archive`, query: { path, noOverwriteDirNonDir: true }, body: tar, headers: { 'Content-Type': 'application/x-tar' }, subject: 'container' });
    await readBody(res);
  },

  async commit(client: EngineClient, id: string, opts: { repo?: string; tag?: string; comment?: string; author?: string }): Promise<string> {
    const r = await client.http.json<{ Id: string }>({ method: 'POST', path: '/commit', query: { container: id, repo: opts.repo, tag: opts.tag, comment: opts.comment, author: opts.author, pause: true }, body: {}, subject: 'container' });
    return r.Id;
  },

  async saveImages(client: EngineClient, refs: string[], limit: number): Promise<Buffer> {
    const qs = refs.map((r) => `names=${enc(r)}`).join('&');
    const res = await client.http.send({ method: 'GET', path: `/images/get?${qs}`, subject: 'image' });
    return readCapped(res, limit, 'the image archive');
  },

  /** `POST /images/load`: the lines the engine reports (`Loaded image: …`); an in-band error rejects. */
  async loadImages(client: EngineClient, tar: Buffer): Promise<string[]> {
    const res = await client.http.send({ method: 'POST', path: '/images/load', query: { quiet: true }, body: tar, headers: { 'Content-Type': 'application/x-tar' }, subject: 'image' });
    const text = await readBody(res);
    const lines: string[] = [];
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let m: { stream?: string; error?: string; errorDetail?: { message?: string } };
      try {
        m = JSON.parse(raw) as typeof m;
      } catch {
        continue;
      }
      if (m.error || m.errorDetail) throw new AppError('InvalidArgument', 'LOAD_FAILED', m.errorDetail?.message ?? m.error ?? 'load failed');
      if (m.stream) lines.push(...m.stream.split('\n').filter((l) => l.trim() !== ''));
    }
    return lines;
  },
};
