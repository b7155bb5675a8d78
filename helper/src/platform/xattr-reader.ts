import { internal } from '../lib/errors';
import { LineProcess } from './line-process';

/**
 * Client of helper/native/berth-getxattr, started in one directory (a layer's `diff`) for a
 * fixed list of attribute names. Node has no getxattr; one long-lived process answers every
 * path of a walk in order, so a layer costs one spawn, not one per file.
 *
 * Lifecycle: the process starts on the first `get` and ends on `close()` (always call it).
 */
export class XattrReader {
  private readonly proc: LineProcess;

  constructor(binary: string, root: string, names: readonly string[]) {
    this.proc = new LineProcess(binary, [root, ...names], 'XATTR');
  }

  /** The values of the configured names for `rel` (relative to the root), undefined where absent. Never follows a final symlink. */
  get(rel: string): Promise<(Buffer | undefined)[]> {
    if (rel.includes('\0')) return Promise.reject(internal('XATTR_BAD_PATH', `NUL in path ${JSON.stringify(rel)}`));
    return this.proc.request([rel === '' ? '.' : rel]).then((line) => parseAnswer(rel, line));
  }

  close(): Promise<void> {
    return this.proc.close();
  }
}

/** One value per name: hex, `-` when absent, `=` when empty; `!<errno>` when getxattr failed. */
function parseAnswer(rel: string, line: string): (Buffer | undefined)[] {
  const values: (Buffer | undefined)[] = [];
  for (const f of line.split(' ')) {
    if (f.startsWith('!')) throw internal('XATTR_FAILED', `getxattr ${JSON.stringify(rel)}: errno ${f.slice(1)}`);
    values.push(f === '-' ? undefined : f === '=' ? Buffer.alloc(0) : Buffer.from(f, 'hex'));
  }
  return values;
}
