import { BerthError } from '../lib/errors';

/**
 * The user's process could not be started. The message follows runc/dockerd wording because the
 * docker CLI derives `docker run`'s exit status from it (127 "executable file not found" / "no such
 * file or directory", 126 "permission denied" / "is a directory", else 125). `exitCode` is that
 * number, for State.ExitCode. Kind is InvalidArgument for 126/127 (dockerd answers 400), Internal
 * otherwise.
 */
export class ContainerStartError extends BerthError {
  readonly exitCode: 125 | 126 | 127;

  constructor(detail: string, options?: { cause?: unknown }) {
    const exitCode = startErrorExitCode(detail);
    super(
      exitCode === 125 ? 'Internal' : 'InvalidArgument',
      'CONTAINER_START_FAILED',
      `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${detail}: unknown`,
      options,
    );
    this.name = 'ContainerStartError';
    this.exitCode = exitCode;
  }
}

/** The CLI's mapping (docker/cli run.go runStartContainerErr), applied to the runtime's detail text. */
export function startErrorExitCode(detail: string): 125 | 126 | 127 {
  if (detail.includes('executable file not found') || detail.includes('no such file or directory')) return 127;
  if (detail.includes('permission denied') || detail.includes('is a directory')) return 126;
  return 125;
}
