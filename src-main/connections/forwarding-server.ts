import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A server whose every connection is forwarded byte for byte to a stream `openRemote` gives (an
 * engine socket or a TCP port on the far side of the app's connection). Half-closes pass through:
 * a docker CLI ends its side when stdin ends and still reads the output after. `conns` tracks the
 * open local connections, so the owner can cut them when it closes the server.
 */
export function createForwardingServer(openRemote: () => Promise<Duplex>, conns: Set<Socket>): Server {
  return createServer({ allowHalfOpen: true }, (local) => {
    conns.add(local);
    local.once('close', () => conns.delete(local));
    local.pause();
    openRemote().then(
      (remote) => {
        local.pipe(remote).pipe(local);
        const done = (): void => {
          local.destroy();
          remote.destroy();
        };
        local.once('error', done);
        remote.once('error', done);
        local.once('close', () => remote.destroy());
        remote.once('close', () => local.end());
        local.resume();
      },
      () => local.destroy(),
    );
  });
}
