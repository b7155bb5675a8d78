import type { ContainerRecord } from '../../store/containers/container-record';
import { healthcheckToWire } from '../containers/health-config';
import type { ImageRuntimeConfig } from '../images/image-config';
import type { CommitLayerInput, CommitLayerResult } from '../images/image-commit';
import { applyChanges } from '../images/importer';

/** `POST /commit` as the engine receives it (already validated by the API layer). */
export interface CommitContainerOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Freeze the container while its upper dir is read (dockerd's default). */
  pause: boolean;
  /** Dockerfile instructions applied to the config (`docker commit --change`). */
  changes: string[];
  /** The request body: a container config that replaces the container's own where set. */
  config?: ImageRuntimeConfig;
}

/** What commit needs of the rest of the engine, as small ports (main.ts wires them). */
export interface ContainerCommitDeps {
  /** The container's record (NotFound "No such container" when absent). */
  record(ref: string): Promise<ContainerRecord>;
  isRunning(id: string): boolean;
  /** The image engine's commit (ImageService.commitLayer). */
  commitLayer(input: CommitLayerInput, target?: { repo: string; tag?: string }): Promise<CommitLayerResult>;
  /**
   * Freezes/thaws a running container for the read (dockerd pauses, with its pause/unpause events).
   * `pause` answers whether it froze the container now: one the user had paused stays paused after.
   */
  pauser?: { pause(id: string): Promise<boolean>; unpause(id: string): Promise<void> };
  publishEvent?: (action: 'commit', id: string, attributes: Record<string, string>) => void;
}

/** Instructions `docker commit --change` accepts (moby daemon/commit.go validCommitCommands). */
const COMMIT_INSTRUCTIONS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** The image config a container commits to: its own config (merged with its image at create), then the body, then the changes. */
export function commitConfig(rec: ContainerRecord, body: ImageRuntimeConfig | undefined, changes: string[]): ImageRuntimeConfig {
  const c = rec.config;
  const base: ImageRuntimeConfig = {
    Hostname: c.hostname,
    Domainname: c.domainname,
    User: c.user,
    Env: c.env,
    Cmd: c.cmd,
    Entrypoint: c.entrypoint,
    WorkingDir: c.workingDir,
    Labels: c.labels,
    ...(c.exposedPorts ? { ExposedPorts: c.exposedPorts as Record<string, object> } : {}),
    ...(c.volumes ? { Volumes: c.volumes as Record<string, object> } : {}),
    ...(c.stopSignal ? { StopSignal: c.stopSignal } : {}),
    // The healthcheck in force (image's and run's merged) goes into the image, as dockerd's commit.
    ...(c.healthcheck ? { Healthcheck: healthcheckToWire(c.healthcheck) } : {}),
    OnBuild: c.onBuild,
    ...(c.shell ? { Shell: c.shell } : {}),
  };
  const merged: ImageRuntimeConfig = { ...base };
  for (const [k, v] of Object.entries(body ?? {})) if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) (merged as Record<string, unknown>)[k] = v;
  const onBuild: string[] = [];
  const rest: string[] = [];
  for (const raw of changes) {
    const instr = /^\s*(\w+)/.exec(raw)?.[1]?.toUpperCase() ?? '';
    if (!COMMIT_INSTRUCTIONS.has(instr)) rest.push(raw); // applyChanges refuses it with the instruction's name
    else if (instr === 'ONBUILD') onBuild.push(raw.replace(/^\s*\w+\s+/, ''));
    else rest.push(raw);
  }
  const out = applyChanges(merged, rest);
  if (onBuild.length > 0) out.OnBuild = [...(out.OnBuild ?? []), ...onBuild];
  return out;
}

/**
 * `docker commit` (moby daemon/commit.go): the container's upper directory becomes a new layer on
 * top of its image, with the container's config (plus `changes`) and a history row whose
 * `created_by` is the container's Cmd. Works on running and stopped containers; a running one is
 * frozen meanwhile when `pause` is asked and pausing is available.
 */
export async function commitContainer(deps: ContainerCommitDeps, ref: string, opts: CommitContainerOptions): Promise<CommitLayerResult> {
  const rec = await deps.record(ref);
  const config = commitConfig(rec, opts.config, opts.changes);
  const input: CommitLayerInput = {
    parentImageId: rec.imageId,
    diffDir: rec.rootfs.upperDir,
    config,
    history: {
      created_by: (rec.config.cmd ?? []).join(' '),
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.comment ? { comment: opts.comment } : {}),
    },
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.comment ? { comment: opts.comment } : {}),
    containerId: rec.id,
  };
  const freeze = opts.pause && deps.pauser !== undefined && deps.isRunning(rec.id) && (await deps.pauser.pause(rec.id));
  // dockerd logs the commit before its deferred unpause: pause, commit, unpause.
  try {
    const result = await deps.commitLayer(input, opts.repo ? { repo: opts.repo, ...(opts.tag ? { tag: opts.tag } : {}) } : undefined);
    deps.publishEvent?.('commit', rec.id, {
      comment: opts.comment ?? '',
      imageID: result.image.id,
      imageRef: opts.repo ? `${opts.repo}${opts.tag ? `:${opts.tag}` : ''}` : '',
      name: rec.name,
    });
    return result;
  } finally {
    if (freeze) await deps.pauser?.unpause(rec.id);
  }
}
