import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NetworkState } from './network-types';

/**
 * `<dataRoot>/network/networks.json`: every network and endpoint. Small (tens of entries), so it
 * is rewritten whole on each change, atomically (temp + rename), and writes are serialised.
 */
export class NetworkStore {
  private readonly file: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, 'networks.json');
  }

  async load(): Promise<NetworkState> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<NetworkState>;
      return { networks: parsed.networks ?? [], endpoints: parsed.endpoints ?? [], ports: parsed.ports ?? [] };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { networks: [], endpoints: [] };
      throw err;
    }
  }

  save(state: NetworkState): Promise<void> {
    const text = JSON.stringify(state, null, 1);
    const next = this.chain.then(async () => {
      const tmp = `${this.file}.tmp-${randomBytes(4).toString('hex')}`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
