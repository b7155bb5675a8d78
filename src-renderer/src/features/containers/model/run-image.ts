import type { ImageView } from '../../../../../src-shared/ipc/models/images';
import { detectShellForm, toShellFormWarning, type ShellFormWarningView } from '../../../lib/shell-form';

// The run dialog's Image field against the host's local images.

/** Every local `repo:tag`, newest image first, for the Image field's suggestions. */
export function toImageSuggestions(images: readonly ImageView[]): string[] {
  const sorted = [...images].sort((a, b) => b.created - a.created);
  return [...new Set(sorted.flatMap((img) => img.repoTags))];
}

/** `name` without a tag or digest gets `:latest`, as `docker run` reads it. */
function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? ref : `${ref}:latest`;
}

/**
 * The local image the Image field names, as a reference to inspect: a `repo:tag` (`busybox` is
 * `busybox:latest`), a `repo@digest`, or an image ID (full, or 12+ hex digits). Null when no local
 * image matches (not pulled, or still being typed): nothing is inspected then.
 */
export function matchLocalImage(input: string, images: readonly ImageView[]): string | null {
  const ref = input.trim();
  if (ref === '') return null;
  const tagged = withDefaultTag(ref);
  if (images.some((img) => img.repoTags.includes(tagged))) return tagged;
  if (images.some((img) => img.repoDigests.includes(ref))) return ref;
  const hex = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]{12,64}$/.test(hex)) {
    const byId = images.filter((img) => img.id.replace(/^sha256:/, '').startsWith(hex));
    if (byId.length === 1) return byId[0]?.id ?? null;
  }
  return null;
}

export interface RunPid1View {
  warning: ShellFormWarningView;
  /** `image`: the image's own ENTRYPOINT/CMD puts the shell at PID 1; `command`: the dialog's command does. */
  source: 'image' | 'command';
  /** What to do about it in this dialog (image source only). */
  note: string | null;
}

/** The part of an inspected image (ImageDetailView) that decides PID 1. */
export interface ImageProcessConfig {
  config: { entrypoint: readonly string[] | null; cmd: readonly string[] | null };
}

/**
 * What becomes PID 1 when the dialog runs: the image's ENTRYPOINT stays, and a command given in
 * the dialog replaces the image's CMD (docker run semantics); `--init` puts a real init first.
 * `image` is the inspected local image, or null when it is not known (then only the dialog's own
 * command can be judged).
 */
export function toRunPid1View(run: { init: boolean; cmd: readonly string[] | undefined }, image: ImageProcessConfig | null, imageRef: string): RunPid1View | null {
  if (run.init) return null;
  const entrypoint = image?.config.entrypoint ?? null;
  const cmd = run.cmd ?? image?.config.cmd ?? null;
  const finding = detectShellForm({ Entrypoint: entrypoint, Cmd: cmd });
  if (!finding) return null;
  const fromCommand = finding.field === 'CMD' && run.cmd !== undefined;
  if (fromCommand) return { warning: toShellFormWarning(finding), source: 'command', note: null };
  const note =
    finding.field === 'ENTRYPOINT'
      ? `${imageRef}’s ENTRYPOINT is in shell form; a command given here does not replace it. Tick --init below.`
      : `${imageRef}’s CMD is in shell form. Give the command as an argument list above, or tick --init below.`;
  return { warning: toShellFormWarning(finding), source: 'image', note };
}
