import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../lib/app-error';
import type { EngineConnection, LinkState } from './engine-connection';

/** The engine on a local unix socket (berthd's, or /var/run/docker.sock). */
export class UnixSocketConnection implements EngineConnection {
  readonly address: string;
  readonly linkState: LinkState = 'up';

  constructor(
    private readonly socketPath: string,
    /** Shown in errors: "berthd is not running on unix:///…". */
    private readonly daemonName = 'berthd',
  ) {
    this.address = `unix://${socketPath}`;
  }

  async connect(): Promise<void> {}

  openStream(): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect(this.socketPath);
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.destroy();
        reject(unavailable(this.daemonName, this.address, err));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  close(): void {}

  onLinkChange(): () => void {
    return () => {};
  }
}

export function unavailable(daemonName: string, address: string, err: NodeJS.ErrnoException): AppError {
  const why =
    err.code === 'ENOENT' ? 'the socket does not exist'
    : err.code === 'ECONNREFUSED' ? 'nothing is listening on the socket'
    : err.code === 'EACCES' ? 'permission denied on the socket'
    : err.message;
  return new AppError('Unavailable', 'ENGINE_UNAVAILABLE', `${daemonName} is not running on ${address} (${why})`, { cause: err });
}
