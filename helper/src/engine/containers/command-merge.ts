import { invalidArgument } from '../../lib/errors';
import type { HealthConfig } from '../../store/containers/container-record';

/** What the request sets for the process; empty values mean "take the image's". */
export interface UserRunConfig {
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: string[];
  workingDir: string;
  user: string;
  labels: Record<string, string>;
  stopSignal?: string;
}

/** The parts of an image's config that a container inherits. */
export interface ImageRunConfig extends UserRunConfig {
  volumes?: Record<string, unknown> | null;
  exposedPorts?: Record<string, unknown> | null;
  onBuild?: string[] | null;
  healthcheck?: HealthConfig;
}

export interface MergedRunConfig extends UserRunConfig {
  /** argv[0] (inspect's `Path`) and the rest (`Args`). */
  path: string;
  args: string[];
}

/** dockerd adds this PATH when neither the image nor the request sets one (oci/defaults). */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The request's config completed from the image's, as moby's `daemon/commit.go merge()`:
 * - no Entrypoint in the request: an empty Cmd takes the image's Cmd, and an unset (nil)
 *   Entrypoint takes the image's Entrypoint. A request Entrypoint (even `[""]`, which the CLI sends
 *   for `--entrypoint ""`) cancels the image's Cmd.
 * - Env: image variables whose key the request does not set are added after the request's.
 * - Labels, WorkingDir, User, StopSignal: the request wins when set.
 * Shell form needs nothing here: the builder already stored `["/bin/sh","-c","…"]`.
 */
export function mergeRunConfig(user: UserRunConfig, image: ImageRunConfig): MergedRunConfig {
  let cmd = user.cmd;
  let entrypoint = user.entrypoint;
  if (entrypoint === null || entrypoint.length === 0) {
    if (cmd === null || cmd.length === 0) cmd = image.cmd;
    if (entrypoint === null) entrypoint = image.entrypoint;
  }
  // `--entrypoint ""` arrives as [""]: it clears the entrypoint without taking the image's.
  if (entrypoint !== null && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (argv.length === 0) throw invalidArgument('NO_COMMAND', 'no command specified');

  return {
    cmd,
    entrypoint: entrypoint !== null && entrypoint.length === 0 ? null : entrypoint,
    env: mergeEnv(user.env, image.env),
    workingDir: user.workingDir !== '' ? user.workingDir : image.workingDir,
    user: user.user !== '' ? user.user : image.user,
    labels: { ...image.labels, ...user.labels },
    stopSignal: user.stopSignal ?? image.stopSignal,
    path: argv[0] ?? '',
    args: argv.slice(1),
  };
}

/** Request variables first, then image variables whose key is absent from the request. */
export function mergeEnv(userEnv: string[], imageEnv: string[]): string[] {
  const keys = new Set(userEnv.map(envKey));
  return [...userEnv, ...imageEnv.filter((kv) => !keys.has(envKey(kv)))];
}

export function envKey(kv: string): string {
  const eq = kv.indexOf('=');
  return eq === -1 ? kv : kv.slice(0, eq);
}

/**
 * The environment the process starts with, as moby's `CreateDaemonEnvironment` followed by
 * `ReplaceOrAppendEnvValues`: PATH (if the config has none), HOSTNAME and TERM=xterm (with a TTY)
 * first, then the config's variables replacing or appending; HOME from the resolved user last when
 * unset, as runc does.
 */
export function processEnv(env: string[], opts: { hostname: string; tty: boolean; home: string }): string[] {
  const out: string[] = [];
  if (!env.some((kv) => envKey(kv) === 'PATH')) out.push(DEFAULT_PATH);
  out.push(`HOSTNAME=${opts.hostname}`);
  if (opts.tty) out.push('TERM=xterm');
  for (const kv of env) {
    if (!kv.includes('=')) continue;
    const i = out.findIndex((o) => envKey(o) === envKey(kv));
    if (i === -1) out.push(kv);
    else out[i] = kv;
  }
  if (!out.some((kv) => envKey(kv) === 'HOME')) out.push(`HOME=${opts.home}`);
  return out;
}
