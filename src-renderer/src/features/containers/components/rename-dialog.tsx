import { useState, type ReactNode } from 'react';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { TextField } from '../../../components/fields';
import { InlineError } from '../../../components/state-views';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** `docker rename`: the new name is checked here; a taken one comes back from the engine. */
export function RenameDialog({ name, busy, error, onRename, onClose }: { name: string; busy: boolean; error: unknown; onRename: (name: string) => void; onClose: () => void }): ReactNode {
  const [value, setValue] = useState(name);
  const valid = NAME.test(value.trim());
  return (
    <Dialog
      title={`Rename ${name}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="rename-form" variant="primary" busy={busy} disabled={!valid || value.trim() === name}>
            Rename
          </Button>
        </>
      }
    >
      <form
        id="rename-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onRename(value.trim());
        }}
      >
        <TextField label="New name" value={value} onChange={(e) => setValue(e.target.value)} autoFocus error={valid ? null : 'Letters, digits, and _ . - only, starting with a letter or digit.'} />
      </form>
      <InlineError error={error} />
    </Dialog>
  );
}
