import type { ReactNode } from 'react';
import { RotateCcw } from 'lucide-react';
import { Button } from '../../../components/button';
import { FormSection, RadioGroupField, SelectField, SwitchField, TextField } from '../../../components/fields';
import { useToast } from '../../../components/toast';
import { useSettings, type Settings } from '../../../lib/settings';
import { useHosts } from '../api/get-host-names';

const FONT_SIZES = [10, 11, 12, 13, 14, 15, 16, 18, 20, 24].map((n) => ({ value: String(n), label: `${n} px` }));
const LOG_LIMITS = [1000, 5000, 10_000, 50_000].map((n) => ({ value: String(n), label: `${n.toLocaleString('en')} lines` }));

/**
 * A person's preferences, saved as they change (in this browser profile: Electron keeps one per
 * OS user). Invalid values never reach the store: the schema in lib/settings clamps them.
 */
export function SettingsView(): ReactNode {
  const { settings, update, reset } = useSettings();
  const hosts = useHosts();
  const toast = useToast();
  const confirm = (key: keyof Settings['confirm'], v: boolean): void => update({ confirm: { ...settings.confirm, [key]: v } });
  return (
    <section className="settings-view">
      <div className="view-header">
        <h1>Settings</h1>
        <div className="spacer" />
        <Button
          icon={RotateCcw}
          onClick={() => {
            reset();
            toast.success('Settings reset to the defaults');
          }}
        >
          Reset to defaults
        </Button>
      </div>
      <FormSection title="Appearance">
        <RadioGroupField
          label="Theme"
          orientation="horizontal"
          value={settings.theme}
          onValueChange={(theme) => update({ theme })}
          options={[
            { value: 'system', label: 'Follow the system' },
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
          ]}
        />
      </FormSection>
      <FormSection title="Hosts">
        <SelectField
          label="Open the app on"
          value={settings.defaultHost ?? ''}
          onValueChange={(v) => update({ defaultHost: v === '' ? null : v })}
          options={[{ value: '', label: 'The host used last' }, ...(hosts.data ?? []).map((h) => ({ value: h.id, label: h.name }))]}
        />
      </FormSection>
      <FormSection title="Terminal">
        <div className="field-row">
          <TextField label="Font family" value={settings.terminalFontFamily} onChange={(e) => e.target.value.trim() !== '' && update({ terminalFontFamily: e.target.value })} />
          <SelectField label="Font size" value={String(settings.terminalFontSize)} onValueChange={(v) => update({ terminalFontSize: Number(v) })} options={FONT_SIZES} />
        </div>
      </FormSection>
      <FormSection title="Logs">
        <SelectField
          label="Lines kept in the Logs tab"
          hint="Older lines are dropped as new ones arrive."
          value={String(settings.logLineLimit)}
          onValueChange={(v) => update({ logLineLimit: Number(v) })}
          options={LOG_LIMITS.some((o) => o.value === String(settings.logLineLimit)) ? LOG_LIMITS : [...LOG_LIMITS, { value: String(settings.logLineLimit), label: `${settings.logLineLimit} lines` }]}
        />
      </FormSection>
      <FormSection title="Confirmations" description="Ask before these actions.">
        <SwitchField label="Removing a container, image or host" checked={settings.confirm.remove} onCheckedChange={(v) => confirm('remove', v)} />
        <SwitchField label="Pruning" checked={settings.confirm.prune} onCheckedChange={(v) => confirm('prune', v)} />
        <SwitchField label="Bulk actions on several items" checked={settings.confirm.bulk} onCheckedChange={(v) => confirm('bulk', v)} />
      </FormSection>
    </section>
  );
}
