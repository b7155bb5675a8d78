/**
 * Commands and file copies on a remote host, over the same SSH session the engine traffic uses
 * (no second login). Provisioning (src-main/provisioning) is its one user: it checks a host,
 * uploads the berthd bundle and runs its installer.
 *
 * `exec` runs one command line through the remote login shell, writes `stdin` (if any) and closes
 * it, and resolves when the command exits, with its exit code (a command killed by a signal
 * resolves with 128 + the signal number, as a shell reports it). `onLine` sees stdout line by line
 * as it arrives, for progress. `upload` writes a regular file by SFTP; the remote path's parent must
 * exist. Both reject with `Unavailable`/`HOST_NOT_CONNECTED` when the link is down.
 */
export interface RemoteShell {
  readonly address: string;
  exec(command: string, opts?: { stdin?: string | Buffer; onLine?: (line: string) => void }): Promise<RemoteExecResult>;
  upload(localPath: string, remotePath: string, onProgress?: (sent: number, total: number) => void): Promise<void>;
}

export interface RemoteExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
