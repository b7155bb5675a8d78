import { useDeferredValue, useMemo, type ReactNode } from 'react';
import { CheckboxField, FormSection, SelectField, TextField } from '../../../../components/fields';
import { useNetworks } from '../../../../lib/network-queries';
import { usePortCheck } from '../../api/check-ports';
import { runNetworkOptions } from '../../model/run-network';
import { fixedHostPorts, parsePorts } from '../../model/run-ports';
import type { CoreSectionProps } from './section-props';

/** Network, `--network-alias`, `-p` and `-P`; host ports already taken are named before the run. */
export function NetworkSection({ hostId, form, set, error }: CoreSectionProps): ReactNode {
  const networks = useNetworks(hostId);
  const options = useMemo(() => runNetworkOptions(networks.data), [networks.data]);
  // The chosen network may not be listed (yet): keep it selectable rather than silently switching.
  const shown = options.some((o) => o.value === form.network) ? options : [...options, { value: form.network, label: form.network }];
  const userNetwork = !['default', 'none', 'host', 'bridge'].includes(form.network);
  const bridged = form.network !== 'none' && form.network !== 'host';
  const deferredPorts = useDeferredValue(form.ports);
  const fixed = useMemo(() => {
    const parsed = parsePorts(deferredPorts);
    return typeof parsed === 'string' ? [] : fixedHostPorts(parsed);
  }, [deferredPorts]);
  const check = usePortCheck(hostId, bridged ? fixed : []);
  const taken = (check.data ?? []).filter((c) => !c.available);
  const conflict = taken.length > 0 ? taken.map((c) => `Host port ${c.port}/${c.proto} is taken by ${c.holder ?? 'something else'}.`).join(' ') : undefined;
  return (
    <FormSection title="Network">
      <SelectField<string> label="Network" value={form.network} onValueChange={(v) => set('network', v)} options={shown} />
      {userNetwork ? (
        <TextField
          label="Aliases"
          value={form.aliases}
          onChange={(e) => set('aliases', e.target.value)}
          placeholder="api, www"
          hint="More names other containers on this network can use to reach it."
          error={error('aliases')}
        />
      ) : null}
      {bridged ? (
        <>
          <TextField
            label="Published ports"
            value={form.ports}
            onChange={(e) => set('ports', e.target.value)}
            placeholder="8080:80, 127.0.0.1:5432:5432, 53/udp"
            hint="hostPort:containerPort, one per comma; a container port alone gets a free host port."
            error={error('ports') ?? conflict}
          />
          <CheckboxField label="Publish every port the image exposes (-P)" checked={form.publishAll} onCheckedChange={(v) => set('publishAll', v)} />
        </>
      ) : null}
    </FormSection>
  );
}
