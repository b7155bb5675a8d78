import type { ReactNode } from 'react';
import { Plus, ShieldCheck, X } from 'lucide-react';
import { Button, IconButton } from '../../../../components/button';
import { FormSection, RadioGroupField, TextField } from '../../../../components/fields';
import { Pid1Warning } from '../../../../components/pid1-warning';
import { EXEC_FORM_PID1_NOTE } from '../../../../lib/shell-form';
import type { RunPid1View } from '../../model/run-image';
import type { CoreSectionProps } from './section-props';

/**
 * The command as an argument list (exec form, default) or a shell command. Whatever the form,
 * the PID 1 advice is the accurate one: exec form only helps programs that handle SIGTERM, and
 * --init (one click here) is the fix for the rest.
 */
export function CommandSection({ form, set, error, cmd, pid1 }: CoreSectionProps & { cmd: string[] | undefined; pid1: RunPid1View | null }): ReactNode {
  const setArg = (i: number, value: string): void => set('args', form.args.map((a, j) => (j === i ? value : a)));
  const useInit = form.init ? null : (
    <Button size="sm" icon={ShieldCheck} onClick={() => set('init', true)} data-testid="use-init">
      Use --init
    </Button>
  );
  return (
    <FormSection title="Command" description="Empty = the image’s default command.">
      <RadioGroupField
        label="Form"
        orientation="horizontal"
        value={form.commandMode}
        onValueChange={(v) => set('commandMode', v)}
        options={[
          { value: 'exec', label: 'Argument list (exec form)' },
          { value: 'shell', label: 'Shell command (/bin/sh -c)' },
        ]}
      />
      {form.commandMode === 'exec' ? (
        <div>
          {form.args.map((arg, i) => (
            <div className="arg-row" key={i}>
              <input
                aria-label={`Argument ${i + 1}`}
                placeholder={i === 0 ? 'program, e.g. sleep' : `argument ${i}`}
                value={arg}
                onChange={(e) => setArg(i, e.target.value)}
                className="mono"
              />
              <IconButton label={`Remove argument ${i + 1}`} icon={X} size="sm" disabled={form.args.length === 1} onClick={() => set('args', form.args.filter((_, j) => j !== i))} />
            </div>
          ))}
          <Button size="sm" icon={Plus} onClick={() => set('args', [...form.args, ''])}>
            Add argument
          </Button>
          {cmd ? <div className="hint mono">argv: {JSON.stringify(cmd)}</div> : null}
        </div>
      ) : (
        <TextField label="Shell command" className="mono" value={form.script} onChange={(e) => set('script', e.target.value)} placeholder="sleep 1000" />
      )}
      {error('command') ? <div className="field-error">{error('command')}</div> : null}
      {pid1?.note ? (
        <div className="hint" data-testid="pid1-source">
          {pid1.note}
        </div>
      ) : null}
      {pid1 ? <Pid1Warning warning={pid1.warning} action={useInit} /> : null}
      {!pid1 && !form.init && form.commandMode === 'exec' ? (
        <div className="note-box" data-testid="exec-form-note">
          <p>{EXEC_FORM_PID1_NOTE}</p>
          {useInit}
        </div>
      ) : null}
    </FormSection>
  );
}
