import { describe, expect, it } from 'vitest';
import type { ImageView } from '../../../../../src-shared/ipc/models/images';
import { matchLocalImage, toImageSuggestions, toRunPid1View } from './run-image';

const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'ab'.repeat(32)}`;

function image(id: string, repoTags: string[], created: number, repoDigests: string[] = []): ImageView {
  return { id, shortId: id.slice(7, 19), repoTags, repoDigests, size: 1, sharedSize: null, uniqueSize: null, created, containers: 0, dangling: repoTags.length === 0 };
}

const images = [
  image(ID_A, ['busybox:latest', '127.0.0.1:5000/busybox:latest'], 1, ['busybox@sha256:' + 'd'.repeat(64)]),
  image(ID_B, ['127.0.0.1:5000/shellform:1.0'], 2),
  image(`sha256:${'c'.repeat(64)}`, [], 3),
];

const shellCmd = { config: { cmd: ['/bin/sh', '-c', 'sleep 1000'], entrypoint: null } } as const;
const execCmd = { config: { cmd: ['sleep', '1000'], entrypoint: null } } as const;

describe('run dialog image model', () => {
  it('suggests every local repo:tag once, newest image first, no dangling placeholder', () => {
    expect(toImageSuggestions(images)).toEqual(['127.0.0.1:5000/shellform:1.0', 'busybox:latest', '127.0.0.1:5000/busybox:latest']);
    expect(toImageSuggestions([...images, image(ID_A, ['busybox:latest'], 0)])).toHaveLength(3);
  });

  it('matches a local image by repo:tag, implied :latest, digest or ID, and nothing else', () => {
    expect(matchLocalImage('busybox:latest', images)).toBe('busybox:latest');
    expect(matchLocalImage(' busybox ', images)).toBe('busybox:latest');
    expect(matchLocalImage('127.0.0.1:5000/busybox', images)).toBe('127.0.0.1:5000/busybox:latest');
    expect(matchLocalImage('127.0.0.1:5000/shellform:1.0', images)).toBe('127.0.0.1:5000/shellform:1.0');
    expect(matchLocalImage(`busybox@sha256:${'d'.repeat(64)}`, images)).toBe(`busybox@sha256:${'d'.repeat(64)}`);
    expect(matchLocalImage('a'.repeat(12), images)).toBe(ID_A);
    expect(matchLocalImage(ID_B, images)).toBe(ID_B);
    // Still typing, not pulled, a tag that is not there, an ambiguous ID prefix.
    expect(matchLocalImage('busy', images)).toBeNull();
    expect(matchLocalImage('alpine', images)).toBeNull();
    expect(matchLocalImage('127.0.0.1:5000/shellform', images)).toBeNull();
    expect(matchLocalImage('a'.repeat(4), images)).toBeNull();
    expect(matchLocalImage('', images)).toBeNull();
  });

  it('warns when the image’s own CMD is in shell form and the dialog keeps it', () => {
    const view = toRunPid1View({ init: false, cmd: undefined }, shellCmd, 'shellform:1.0');
    expect(view?.source).toBe('image');
    expect(view?.warning.title).toBe('Shell-form CMD: /bin/sh runs as PID 1');
    expect(view?.warning.fix).toContain('--init');
    expect(view?.note).toMatch(/shellform:1\.0’s CMD is in shell form/);
  });

  it('an exec-form command in the dialog replaces the shell-form CMD; --init silences it', () => {
    expect(toRunPid1View({ init: false, cmd: ['sleep', '5'] }, shellCmd, 'x')).toBeNull();
    expect(toRunPid1View({ init: true, cmd: undefined }, shellCmd, 'x')).toBeNull();
    expect(toRunPid1View({ init: false, cmd: undefined }, execCmd, 'x')).toBeNull();
  });

  it('a shell-form ENTRYPOINT stays whatever the command; an exec-form ENTRYPOINT makes a shell CMD harmless', () => {
    const shellEntrypoint = { config: { entrypoint: ['/bin/sh', '-c', 'exec-me; other'], cmd: null } };
    const view = toRunPid1View({ init: false, cmd: ['sleep', '5'] }, shellEntrypoint, 'ep');
    expect(view?.source).toBe('image');
    expect(view?.warning.title).toBe('Shell-form ENTRYPOINT: /bin/sh runs as PID 1');
    expect(view?.note).toMatch(/does not replace it/);
    const execEntrypoint = { config: { entrypoint: ['/usr/bin/tini', '--'], cmd: null } };
    expect(toRunPid1View({ init: false, cmd: ['/bin/sh', '-c', 'sleep 5'] }, execEntrypoint, 'tini')).toBeNull();
  });

  it('the dialog’s own shell command is judged even when the image is unknown', () => {
    expect(toRunPid1View({ init: false, cmd: ['/bin/sh', '-c', 'sleep 1000'] }, null, 'not-local')).toMatchObject({ source: 'command', note: null });
    expect(toRunPid1View({ init: false, cmd: undefined }, null, 'not-local')).toBeNull();
  });
});
