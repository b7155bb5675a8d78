/**
 * "Run a compose file" (#15): the app runs the compose client installed on the desktop
 * (`docker compose` v2, else `docker-compose` v1) against the active host, so the compose file
 * and its build contexts are read on the person's machine, whichever host runs the stack.
 */

export interface ComposeUpArgs {
  hostId: string;
  /** Absolute path of the compose file on the machine running the app. */
  file: string;
  /** The compose project name (the renderer defaults it to the file's directory name, as compose does). */
  project: string;
  /** `up --build`: build images before starting, even when they exist. */
  build?: boolean;
}

/** Where one service is: waiting (listed by `config --services`, nothing printed yet) to started or error. */
export type ComposeServiceState = 'waiting' | 'pulling' | 'building' | 'creating' | 'started' | 'error';

export interface ComposeServiceProgressView {
  service: string;
  state: ComposeServiceState;
  /** The container the client named last for this service (`p_web_1`, `p-web-1`). */
  container?: string;
  /** Why the service failed, as the client said it. */
  message?: string;
}

/** One event of `compose:up`: new output lines and every service's state; the last one has `done`. */
export interface ComposeUpProgressView {
  /** The client used, first event only, e.g. `docker-compose 1.29.2`. */
  client?: string;
  /** Output lines of the client since the last event. */
  lines: string[];
  services: ComposeServiceProgressView[];
  done?: { project: string; durationMs: number };
}
