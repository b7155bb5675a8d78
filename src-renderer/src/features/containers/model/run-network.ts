import type { NetworkView } from '../../../../../src-shared/ipc/models/networks';

/** Names the run dialog offers: the engine's default, none, host, then every user-defined bridge network. */
export function runNetworkOptions(networks: readonly NetworkView[] | undefined): { value: string; label: string }[] {
  const out = [
    { value: 'default', label: 'Default bridge' },
    { value: 'none', label: 'None (no network)' },
    { value: 'host', label: "Host (the host's own network)" },
  ];
  for (const n of networks ?? []) {
    if (n.predefined || n.driver !== 'bridge') continue;
    const subnet = n.subnets[0]?.subnet;
    out.push({ value: n.name, label: subnet ? `${n.name} (${subnet})` : n.name });
  }
  return out;
}
