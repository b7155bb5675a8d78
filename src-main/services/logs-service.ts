import type { LogBatchView, LogsArgs } from '../../src-shared/ipc/models/containers';
import { StdcopyDemuxer } from '../engine-client/stdcopy';
import { LineBatcher, LineSplitter } from './log-lines';
import type { HostsService } from './hosts-service';

/**
 * Container logs as batched lines with stdout and stderr told apart. The container's `Config.Tty`
 * decides the framing, as the docker CLI does: raw bytes (all stdout) for a TTY, stdcopy otherwise.
 * Resolves when the log ends (not following, or the container stopped) or `signal` aborts.
 */
export class LogsService {
  constructor(private readonly hosts: HostsService) {}

  async stream(args: LogsArgs, emit: (batch: LogBatchView) => void, signal: AbortSignal): Promise<void> {
    const client = this.hosts.client(args.hostId);
    const info = await client.inspectContainer(args.id);
    const res = await client.containerLogs(args.id, {
      follow: args.follow,
      ...(args.tail !== undefined ? { tail: args.tail } : {}),
      ...(args.timestamps ? { timestamps: true } : {}),
      ...(args.since !== undefined ? { since: args.since } : {}),
      signal,
    });
    const batcher = new LineBatcher((lines) => emit({ lines }));
    const ts = args.timestamps ?? false;
    const out = new LineSplitter('stdout', ts, (l) => batcher.add(l));
    const err = new LineSplitter('stderr', ts, (l) => batcher.add(l));
    const demux = new StdcopyDemuxer((stream, payload) => (stream === 'stderr' || stream === 'system' ? err : out).push(payload));
    const tty = info.Config?.Tty ?? false;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        out.flush();
        err.flush();
        batcher.flush();
        resolve();
      };
      signal.addEventListener('abort', () => {
        batcher.dispose();
        res.destroy();
        resolve();
      }, { once: true });
      res.on('data', (c: Buffer) => (tty ? out.push(c) : demux.push(c)));
      res.once('end', done);
      res.once('error', done);
      res.once('close', done);
    });
  }
}
