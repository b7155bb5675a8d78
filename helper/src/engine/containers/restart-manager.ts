/**
 * Restart policies as dockerd applies them (moby restartmanager/restartmanager.go): after an exit,
 * `always` and `unless-stopped` restart, `on-failure[:N]` restarts a non-zero exit while fewer
 * than N restarts happened (0 = no limit); a stop or kill by the user cancels it. The delay starts
 * at 100 ms and doubles per restart up to a minute, and falls back to 100 ms once a run lasted
 * 10 s. One RestartManager per container lifetime: a user `start` makes a fresh one (count 0).
 */
import type { RestartPolicy } from '../../store/containers/container-record';

const DEFAULT_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
const RESET_AFTER_RUN_MS = 10_000;

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
}

export class RestartManager {
  private delayMs = 0;
  private canceled = false;

  constructor(
    private policy: RestartPolicy,
    private restartCount: number,
  ) {}

  setPolicy(policy: RestartPolicy): void {
    this.policy = policy;
  }

  /** docker stop / kill by the user: no restart until the next user start. */
  cancel(): void {
    this.canceled = true;
  }

  get isCanceled(): boolean {
    return this.canceled;
  }

  /**
   * Whether to restart after an exit and after what delay. `manuallyStopped` is dockerd's
   * HasBeenManuallyStopped (which spares `unless-stopped` containers at daemon start).
   */
  shouldRestart(exitCode: number, manuallyStopped: boolean, ranMs: number): RestartDecision {
    const no = { restart: false, delayMs: 0 };
    if (this.canceled || this.policy.name === 'no' || this.policy.name === '') return no;
    if (ranMs >= RESET_AFTER_RUN_MS) this.delayMs = 0;
    this.delayMs = this.delayMs === 0 ? DEFAULT_DELAY_MS : Math.min(this.delayMs * 2, MAX_DELAY_MS);
    let restart = false;
    switch (this.policy.name) {
      case 'always':
        restart = true;
        break;
      case 'unless-stopped':
        restart = !manuallyStopped;
        break;
      case 'on-failure': {
        const max = this.policy.maximumRetryCount;
        restart = exitCode !== 0 && (max === 0 || this.restartCount < max);
        break;
      }
    }
    if (!restart) return no;
    this.restartCount++;
    return { restart: true, delayMs: this.delayMs };
  }
}
