import { useState, type ReactNode } from 'react';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { CheckboxField, TextField } from '../../../components/fields';
import { InlineError } from '../../../components/state-views';
import { useToast } from '../../../components/toast';
import { useCreateNetwork } from '../api/network-queries';
import { parseNetworkLabels, validateCreateNetwork, type CreateNetworkForm } from '../model/create-network-form';

const EMPTY: CreateNetworkForm = { name: '', subnet: '', gateway: '', ipRange: '', internal: false, labels: '' };

/** `docker network create` (bridge driver) with the options people use: subnet, gateway, IP range, internal, labels. */
export function CreateNetworkDialog({ hostId, onClose }: { hostId: string; onClose: () => void }): ReactNode {
  const create = useCreateNetwork();
  const toast = useToast();
  const [form, setForm] = useState(EMPTY);
  const [touched, setTouched] = useState(false);
  const errors = validateCreateNetwork(form);
  const set = <K extends keyof CreateNetworkForm>(k: K, v: CreateNetworkForm[K]): void => setForm((f) => ({ ...f, [k]: v }));
  const err = (k: keyof typeof errors): string | null => (touched ? (errors[k] ?? null) : null);

  const submit = (): void => {
    setTouched(true);
    const labels = parseNetworkLabels(form.labels);
    if (Object.keys(errors).length > 0 || typeof labels === 'string') return;
    const opt = (v: string): string | undefined => (v.trim() === '' ? undefined : v.trim());
    const subnet = opt(form.subnet);
    const gateway = opt(form.gateway);
    const ipRange = opt(form.ipRange);
    create.mutate(
      { hostId, name: form.name.trim(), ...(subnet ? { subnet } : {}), ...(gateway ? { gateway } : {}), ...(ipRange ? { ipRange } : {}), internal: form.internal, labels },
      {
        onSuccess: (n) => {
          toast.success('Network created', `${n.name} ${n.subnets[0]?.subnet ?? ''}`.trim());
          onClose();
        },
      },
    );
  };

  return (
    <Dialog
      title="Create network"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={create.isPending} onClick={submit}>
            Create
          </Button>
        </>
      }
    >
      <TextField label="Name" value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="app" hint="Containers on it reach each other by name." error={err('name')} />
      <TextField label="Subnet" value={form.subnet} onChange={(e) => set('subnet', e.target.value)} placeholder="picked by the engine when empty" error={err('subnet')} />
      <TextField label="Gateway" value={form.gateway} onChange={(e) => set('gateway', e.target.value)} placeholder="first address of the subnet" error={err('gateway')} />
      <TextField label="IP range" value={form.ipRange} onChange={(e) => set('ipRange', e.target.value)} placeholder="containers get addresses from here" error={err('ipRange')} />
      <CheckboxField label="Internal (no route out of the host)" checked={form.internal} onCheckedChange={(v) => set('internal', v)} />
      <TextField label="Labels" value={form.labels} onChange={(e) => set('labels', e.target.value)} placeholder="team=web, env=dev" error={err('labels')} />
      <InlineError error={create.error} />
    </Dialog>
  );
}
