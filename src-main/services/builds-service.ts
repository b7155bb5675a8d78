import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { packContext } from '../builds/context-tar';
import { AppError } from '../lib/app-error';
import type { BuildArgs, BuildProgressView, BuildRecordView } from '../../src-shared/ipc/models/builds';
import type { PruneResultView } from '../../src-shared/ipc/models/containers';
import type { HostsService } from './hosts-service';

const HISTORY = 50;
const STEP = /^Step (\d+)\/(\d+) : (.*)$/;

/**
 * The Builds view's side in main: packs the context folder, streams `POST /build` to the host's
 * engine and turns the jsonmessage stream into lines, steps and a result. Keeps the last builds
 * of this session (what the view lists when it is opened again).
 */
export class BuildsService {
  private readonly history: BuildRecordView[] = [];

  constructor(private readonly hosts: HostsService) {}

  list(hostId?: string): BuildRecordView[] {
    return this.history.filter((b) => hostId === undefined || b.hostId === hostId).map((b) => ({ ...b }));
  }

  /** `docker builder prune` (unused cache records only, as the CLI's default). */
  async pruneCache(hostId: string): Promise<PruneResultView> {
    const r = await this.hosts.client(hostId).pruneBuildCache();
    return { deleted: r.CachesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  async build(args: BuildArgs, onProgress: (p: BuildProgressView) => void, signal: AbortSignal): Promise<BuildRecordView> {
    if (!isAbsolute(args.contextPath)) throw new AppError('InvalidArgument', 'BUILD_CONTEXT_RELATIVE', `the context folder must be an absolute path: ${args.contextPath}`);
    const dockerfile = args.dockerfile?.trim() || 'Dockerfile';
    const rec: BuildRecordView = { id: randomUUID(), hostId: args.hostId, contextPath: args.contextPath, dockerfile, tags: args.tags ?? [], startedAt: Date.now(), state: 'running', cachedSteps: 0, steps: 0 };
    this.history.unshift(rec);
    this.history.splice(HISTORY);
    const emit = (p: Omit<BuildProgressView, 'buildId'>): void => onProgress({ buildId: rec.id, ...p });
    const finish = (state: BuildRecordView['state'], error?: string): BuildRecordView => {
      rec.state = state;
      rec.durationMs = Date.now() - rec.startedAt;
      if (error !== undefined) rec.error = error;
      return { ...rec };
    };
    try {
      const client = this.hosts.client(args.hostId);
      emit({ lines: [`Sending build context from ${args.contextPath}`] });
      const context = await packContext(args.contextPath, dockerfile);
      rec.contextBytes = context.length;
      let failure: string | undefined;
      let partial = '';
      await client.buildImage(
        context,
        { dockerfile, t: rec.tags, ...(args.buildArgs ? { buildargs: args.buildArgs } : {}), ...(args.target ? { target: args.target } : {}), ...(args.noCache ? { nocache: true } : {}), ...(args.pull ? { pull: true } : {}) },
        signal,
        (m) => {
          const id = m.aux?.['ID'];
          if (typeof id === 'string') rec.imageId = id;
          if (m.error !== undefined || m.errorDetail !== undefined) {
            failure = m.errorDetail?.message ?? m.error;
            return;
          }
          if (m.stream === undefined) return;
          // The engine may split a line across messages: emit whole lines only.
          const text = partial + m.stream;
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const step = STEP.exec(line);
            if (step) {
              rec.steps = Number(step[1]);
              emit({ lines: [line], step: { index: Number(step[1]), total: Number(step[2]), instruction: step[3] ?? '' } });
              continue;
            }
            if (line.trim() === '---> Using cache') rec.cachedSteps += 1;
            emit({ lines: [line] });
          }
        },
      );
      if (partial !== '') emit({ lines: [partial] });
      if (failure !== undefined) {
        const step = rec.steps > 0 ? ` (step ${rec.steps})` : '';
        throw new AppError('InvalidArgument', 'BUILD_FAILED', `${failure}${step}`);
      }
      const done = finish('succeeded');
      emit({ done });
      return done;
    } catch (err) {
      finish(signal.aborted ? 'cancelled' : 'failed', signal.aborted ? 'cancelled' : (err as Error).message);
      throw err;
    }
  }
}
