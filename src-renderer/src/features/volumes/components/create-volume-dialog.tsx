import { useState, type ReactNode } from 'react';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { SelectField, TextField } from '../../../components/fields';
import { InlineError } from '../../../components/state-views';
import { useToast } from '../../../components/toast';
import { useCreateVolume } from '../api/volume-queries';
import { parseLabels, validateVolumeName, type VolumeKind } from '../model/create-volume-form';

const KINDS = [
  { value: 'dir' as const, label: 'Directory on the host (default)' },
  { value: 'tmpfs' as const, label: 'tmpfs (in memory, emptied when no container uses it)' },
  { value: 'bind' as const, label: 'Bind an existing host directory' },
];

/** `docker volume create` with the local driver's options: a plain directory, tmpfs, or a bind. */
export function CreateVolumeDialog({ hostId, onClose }: { hostId: string; onClose: () => void }): ReactNode {
  const create = useCreateVolume();
  const toast = useToast();
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [kind, setKind] = useState<VolumeKind>('dir');
  const [size, setSize] = useState('');
  const [device, setDevice] = useState('');
  const [touched, setTouched] = useState(false);
  const nameError = validateVolumeName(name);
  const parsedLabels = parseLabels(labels);
  const deviceError = kind === 'bind' && !device.startsWith('/') ? 'An absolute host path' : null;
  const invalid = nameError !== null || typeof parsedLabels === 'string' || deviceError !== null;

  const submit = (): void => {
    setTouched(true);
    if (invalid || typeof parsedLabels === 'string') return;
    const driverOpts =
      kind === 'tmpfs'
        ? { type: 'tmpfs', device: 'tmpfs', ...(size.trim() !== '' ? { o: `size=${size.trim()}` } : {}) }
        : kind === 'bind'
          ? { type: 'none', device, o: 'bind' }
          : undefined;
    create.mutate(
      { hostId, ...(name.trim() !== '' ? { name: name.trim() } : {}), labels: parsedLabels, ...(driverOpts ? { driverOpts } : {}) },
      {
        onSuccess: (v) => {
          toast.success('Volume created', v.name);
          onClose();
        },
      },
    );
  };

  return (
    <Dialog
      title="Create volume"
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
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="generated when empty" hint="Letters, digits, _ . - (at least 2)" error={touched ? nameError : null} />
      <TextField
        label="Labels"
        value={labels}
        onChange={(e) => setLabels(e.target.value)}
        placeholder="team=db, backup=nightly"
        error={touched && typeof parsedLabels === 'string' ? parsedLabels : null}
      />
      <SelectField label="Kind" options={KINDS} value={kind} onValueChange={setKind} />
      {kind === 'tmpfs' ? <TextField label="Size" value={size} onChange={(e) => setSize(e.target.value)} placeholder="e.g. 64m (default: half of RAM)" /> : null}
      {kind === 'bind' ? <TextField label="Host directory" value={device} onChange={(e) => setDevice(e.target.value)} placeholder="/srv/data" error={touched ? deviceError : null} /> : null}
      <InlineError error={create.error} />
    </Dialog>
  );
}
