import type { RestartPolicyName } from '../../../../../src-shared/ipc/models/containers';

/** `--restart` choices, as the run dialog and Edit limits offer them. */
export const RESTART_POLICY_OPTIONS: readonly { value: RestartPolicyName; label: string }[] = [
  { value: 'no', label: 'Never (no)' },
  { value: 'on-failure', label: 'On failure (non-zero exit)' },
  { value: 'unless-stopped', label: 'Unless stopped' },
  { value: 'always', label: 'Always' },
];
