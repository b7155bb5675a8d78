import { internal } from '../../lib/errors';
import { LineProcess } from '../../platform/line-process';

/**
 * Client of helper/native/berth-fsutil, started in one directory (a layer's diff) and fed
 * requests over stdin: the mknod and lsetxattr calls Node lacks. Requests are answered in order,
 * so each call resolves when its syscall is done. The process is started lazily on first use:
 * most layers need neither call.
 */
export class FsUtil {
  private readonly proc: LineProcess;

  constructor(binary: string, root: string) {
    this.proc = new LineProcess(binary, [root], 'FSUTIL');
  }

  /** Creates a node (`mode` includes the S_IF* type bits) at `rel`, relative to the root. */
  mknod(rel: string, mode: number, major: number, minor: number): Promise<void> {
    return this.call(`mknod ${rel}`, ['mknod', rel, mode.toString(8), String(major), String(minor)]);
  }

  /** lsetxattr on `rel` (does not follow a final symlink). */
  setxattr(rel: string, name: string, value: Buffer): Promise<void> {
    return this.call(`setxattr ${name} ${rel}`, ['setxattr', rel, name, value.toString('hex')]);
  }

  close(): Promise<void> {
    return this.proc.close();
  }

  /** The tool answers `0`, or `<errno> <strerror>`. */
  private async call(what: string, fields: string[]): Promise<void> {
    if (fields.some((f) => f.includes('\0'))) throw internal('FSUTIL_BAD_ARG', `${what}: NUL in argument`);
    const line = await this.proc.request(fields);
    if (line === '0') return;
    const [errno, ...text] = line.split(' ');
    throw Object.assign(internal('FSUTIL_FAILED', `${what}: ${text.join(' ')}`), { errno: Number(errno) });
  }
}
