import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Play } from 'lucide-react';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { FormSection } from '../../../components/fields';
import { InlineError } from '../../../components/state-views';
import { TransferProgress } from '../../../components/transfer-progress';
import { useToast } from '../../../components/toast';
import { describeError } from '../../../lib/describe-error';
import { useExtensions, type RunSectionDef } from '../../../lib/extension-points';
import { useImage, useImages } from '../../../lib/image-queries';
import { navigate } from '../../../lib/navigation';
import { useImageTransfer } from '../../../lib/use-image-transfer';
import { useRunContainer } from '../api/run-container';
import { commandOf, EMPTY_RUN_FORM, toRunSpec, validateRunForm, type RunForm, type RunFormErrors } from '../model/run-form';
import { matchLocalImage, toImageSuggestions, toRunPid1View } from '../model/run-image';
import { CommandSection } from './run-sections/command-section';
import { EnvironmentSection } from './run-sections/environment-section';
import { HealthSection } from './run-sections/health-section';
import { ImageSection } from './run-sections/image-section';
import { MountsSection } from './run-sections/mounts-section';
import { NetworkSection } from './run-sections/network-section';
import { OptionsSection } from './run-sections/options-section';
import { ResourcesSection } from './run-sections/resources-section';
import type { CoreSectionProps } from './run-sections/section-props';

/** Built-in sections and their positions; registered sections (app/registry/run-sections) slot in by `order`. */
const CORE_SECTIONS: { id: string; order: number; Component: (p: CoreSectionProps) => ReactNode }[] = [
  { id: 'environment', order: 30, Component: EnvironmentSection },
  { id: 'resources', order: 40, Component: ResourcesSection },
  { id: 'options', order: 50, Component: OptionsSection },
  { id: 'network', order: 60, Component: NetworkSection },
  { id: 'mounts', order: 70, Component: MountsSection },
  { id: 'health', order: 80, Component: HealthSection },
];

type Phase = { kind: 'form' } | { kind: 'pulling'; ref: string } | { kind: 'starting' };

function initialExtState(sections: readonly RunSectionDef[]): Record<string, unknown> {
  return Object.fromEntries(sections.map((s) => [s.id, s.initial()]));
}

/**
 * `docker run -d` as a form, one section per concern (image, command, environment, limits,
 * options, network, mounts, plus sections other features register). An image that is not on
 * the host is pulled first, with progress, then run. The command defaults to an argument list
 * (exec form) with accurate PID 1 advice and a one-click --init.
 */
export function RunDialog({ hostId, onClose, initialImage, initialInit }: { hostId: string; onClose: () => void; initialImage?: string; initialInit?: boolean }): ReactNode {
  const { runSections } = useExtensions();
  const [form, setForm] = useState<RunForm>({ ...EMPTY_RUN_FORM, image: initialImage ?? '', init: initialInit ?? false });
  const [ext, setExt] = useState<Record<string, unknown>>(() => initialExtState(runSections));
  const [touched, setTouched] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'form' });
  const run = useRunContainer();
  const pull = useImageTransfer(hostId, 'images:pull');
  const toast = useToast();
  const errors = validateRunForm(form);
  const extErrors = useMemo(() => Object.fromEntries(runSections.map((s) => [s.id, s.validate?.(ext[s.id]) ?? {}])), [runSections, ext]);
  const set: CoreSectionProps['set'] = (key, value) => setForm((f) => ({ ...f, [key]: value }));
  const error = (k: keyof RunFormErrors): string | undefined => (touched ? errors[k] : undefined);
  const cmd = commandOf(form);
  // A failing list only costs the suggestions and the pre-pull: the run itself says when an image is missing.
  const images = useImages(hostId);
  const suggestions = useMemo(() => toImageSuggestions(images.data ?? []), [images.data]);
  const localRef = matchLocalImage(form.image, images.data ?? []);
  const image = useImage(hostId, localRef);
  const pid1 = toRunPid1View({ init: form.init, cmd }, localRef ? (image.data ?? null) : null, form.image.trim());

  // One pull per Run press: a run that still finds no image after a pull reports the error.
  const pulled = useRef(false);
  const spec = () => runSections.reduce((s, def) => def.apply(ext[def.id], s), toRunSpec(form));
  const start = (): void => {
    setPhase({ kind: 'starting' });
    run.mutate(
      { hostId, spec: spec() },
      {
        onSuccess: (result) => {
          toast.success(`Started ${form.name.trim() || result.id.slice(0, 12)}`, result.warnings.join(' ') || undefined);
          onClose();
          navigate('containers', result.id);
        },
        onError: (err) => {
          // The image list was stale (or unavailable): pull, then run.
          if (describeError(err).code === 'IMAGE_NOT_FOUND' && !pulled.current) pullThenRun();
          else setPhase({ kind: 'form' });
        },
      },
    );
  };
  const pullThenRun = (): void => {
    const ref = form.image.trim();
    run.reset();
    pulled.current = true;
    setPhase({ kind: 'pulling', ref });
    pull.start(ref, {
      onDone: (ok) => {
        if (ok) start();
        else setPhase({ kind: 'form' });
      },
    });
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTouched(true);
    const extBad = Object.values(extErrors).some((m) => Object.keys(m).length > 0);
    if (Object.keys(errors).length > 0 || extBad) return;
    pulled.current = false;
    if (images.isSuccess && !localRef) pullThenRun();
    else start();
  };

  const busy = phase.kind !== 'form';
  const coreProps: CoreSectionProps = { hostId, form, set, error };
  const sections = [
    ...CORE_SECTIONS.map((s) => ({ id: s.id, order: s.order, node: <s.Component key={s.id} {...coreProps} /> })),
    ...runSections.map((def) => ({
      id: def.id,
      order: def.order,
      node: (
        <FormSection key={def.id} title={def.title}>
          <def.Component
            hostId={hostId}
            value={ext[def.id]}
            onChange={(v: unknown) => setExt((x) => ({ ...x, [def.id]: v }))}
            errors={extErrors[def.id] ?? {}}
            showErrors={touched}
            image={form.image.trim()}
          />
        </FormSection>
      ),
    })),
  ].sort((a, b) => a.order - b.order);

  return (
    <Dialog
      title="Run a container"
      wide
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="run-form" variant="primary" icon={Play} busy={busy}>
            {phase.kind === 'pulling' ? 'Pulling…' : phase.kind === 'starting' ? 'Starting…' : 'Run'}
          </Button>
        </>
      }
    >
      <form id="run-form" onSubmit={submit} noValidate>
        <ImageSection {...coreProps} suggestions={suggestions} localImage={localRef} />
        <CommandSection {...coreProps} cmd={cmd} pid1={pid1} />
        {sections.map((s) => s.node)}
        {pull.progress && (phase.kind === 'pulling' || pull.progress.state === 'error') ? (
          <div data-testid="run-pull">
            <TransferProgress progress={pull.progress} outcome={pull.outcome} />
          </div>
        ) : null}
        {pull.error && !pull.progress ? <InlineError error={pull.error} /> : null}
        <InlineError error={phase.kind === 'form' ? run.error : null} />
      </form>
    </Dialog>
  );
}
