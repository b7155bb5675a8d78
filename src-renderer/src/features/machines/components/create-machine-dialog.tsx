import { useState, type ReactNode } from 'react';
import type { MachineCreateArgs } from '../../../../../src-shared/ipc/models/machines';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { CheckboxField, TextField } from '../../../components/fields';

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** Name, CPUs, memory, disk and whether to share the home folder; the machine starts right after. */
export function CreateMachineDialog({ onClose, onCreate }: { onClose: () => void; onCreate: (args: MachineCreateArgs) => void }): ReactNode {
  const [name, setName] = useState('default');
  const [cpus, setCpus] = useState('2');
  const [memory, setMemory] = useState('2048');
  const [disk, setDisk] = useState('20');
  const [share, setShare] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  const errors = {
    name: NAME_RE.test(name) ? undefined : 'Lowercase letters, digits and -, up to 31',
    cpus: Number(cpus) >= 1 ? undefined : 'At least 1',
    memory: Number(memory) >= 512 ? undefined : 'At least 512 MiB',
    disk: Number(disk) >= 1 ? undefined : 'At least 1 GiB',
  };
  const valid = Object.values(errors).every((e) => e === undefined);
  const submit = (): void => {
    setSubmitted(true);
    if (!valid) return;
    onCreate({ name, cpus: Number(cpus), memoryMiB: Number(memory), diskGiB: Number(disk), ...(share ? {} : { shareHome: null }) });
  };
  return (
    <Dialog
      title="Create a machine"
      description="A local Linux VM that runs berthd; the app installs berthd in it and connects."
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={submit}>
            Create and start
          </Button>
        </>
      }
    >
      <form
        className="dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <TextField label="Machine name" value={name} onChange={(e) => setName(e.target.value)} error={submitted ? errors.name : undefined} />
        <TextField label="CPUs" type="number" min={1} value={cpus} onChange={(e) => setCpus(e.target.value)} error={submitted ? errors.cpus : undefined} />
        <TextField label="Memory (MiB)" type="number" min={512} value={memory} onChange={(e) => setMemory(e.target.value)} error={submitted ? errors.memory : undefined} />
        <TextField label="Disk (GiB)" type="number" min={1} value={disk} onChange={(e) => setDisk(e.target.value)} error={submitted ? errors.disk : undefined} hint="A sparse file: it only takes the space the machine uses." />
        <CheckboxField label="Share my home folder (so -v ~/project:/src works as on the desktop)" checked={share} onCheckedChange={setShare} />
      </form>
    </Dialog>
  );
}
