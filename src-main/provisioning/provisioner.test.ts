import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RemoteExecResult, RemoteShell } from '../connections/remote-shell';
import { HostProvisioner } from './provisioner';

/** A host as a script of answers: the first matching rule answers each command; every call is kept. */
function fakeShell(rules: Array<[RegExp, Partial<RemoteExecResult> | ((cmd: string, stdin?: string) => Partial<RemoteExecResult>)]>) {
  const calls: Array<{ command: string; stdin?: string }> = [];
  const shell: RemoteShell = {
    address: 'ssh://dev@host:22',
    exec: async (command, opts = {}) => {
      const stdin = opts.stdin?.toString();
      calls.push({ command, ...(stdin !== undefined ? { stdin } : {}) });
      const rule = rules.find(([re]) => re.test(command));
      const r = typeof rule?.[1] === 'function' ? rule[1](command, stdin) : (rule?.[1] ?? {});
      for (const line of (r.stdout ?? '').split('\n')) opts.onLine?.(line);
      return { code: 0, stdout: '', stderr: '', ...r };
    },
    upload: async () => undefined,
  };
  return { shell, calls };
}

const FACTS = ['@@FACT kernel 6.1.0', '@@FACT arch x86_64', '@@FACT overlay yes', '@@FACT cgroup 2', '@@FACT controllers cpu,memory,pids', '@@FACT node none', '@@FACT systemd yes', '@@FACT pkg apt-get', '@@FACT installed none'].join('\n');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function provisioner(shell: RemoteShell, sudoPassword?: string): Promise<HostProvisioner> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-prov-unit-'));
  dirs.push(dir);
  await writeFile(join(dir, 'install.sh'), '#!/bin/sh\n');
  return new HostProvisioner(shell, { bundleDir: dir, version: '9.9.9', installerPath: join(dir, 'install.sh'), sudoPassword: async () => sudoPassword });
}

describe('HostProvisioner: root through sudo, and Node.js from the package manager', () => {
  it('tells how root is reached', async () => {
    const cases: Array<[Array<[RegExp, Partial<RemoteExecResult>]>, string]> = [
      [[[/^id -u$/, { stdout: '0\n' }]], 'root'],
      [[[/^id -u$/, { stdout: '1000\n' }], [/^sudo -n true$/, { code: 0 }]], 'sudo'],
      [[[/^id -u$/, { stdout: '1000\n' }], [/^sudo -n true$/, { code: 1 }], [/^command -v sudo$/, { code: 0 }]], 'sudo-password'],
      [[[/^id -u$/, { stdout: '1000\n' }], [/^sudo -n true$/, { code: 127 }], [/^command -v sudo$/, { code: 1 }]], 'none'],
    ];
    for (const [rules, expected] of cases) expect(await (await provisioner(fakeShell(rules).shell)).privilege()).toBe(expected);
  });

  it('installs Node.js with sudo and the password on stdin only, never on a command line', async () => {
    const { shell, calls } = fakeShell([
      [/^id -u$/, { stdout: '1000\n' }],
      [/^sudo -n true$/, { code: 1 }],
      [/^sudo -S -p '' true$/, (_c, stdin) => ({ code: stdin === 's3cret\n' ? 0 : 1 })],
      [/^sh -s -- check/, { stdout: FACTS }],
      [/apt-cache policy nodejs/, { stdout: '20.19.2+dfsg-1\n' }],
      [/apt-get (update|install)/, { code: 0 }],
    ]);
    const steps: string[] = [];
    expect(await (await provisioner(shell, 's3cret')).installNode((s) => steps.push(s))).toEqual({ version: '20.19.2+dfsg-1' });
    expect(steps).toContain('installing Node.js 20.19.2+dfsg-1 with apt-get');
    const install = calls.find((c) => /apt-get install -y nodejs/.test(c.command));
    expect(install?.command).toMatch(/^sudo -S -p '' /);
    expect(install?.stdin).toBe('s3cret\n');
    expect(calls.some((c) => c.command.includes('s3cret'))).toBe(false);
  });

  it('refuses a package that is older than 20, and a refused sudo password, with clear errors', async () => {
    const old = fakeShell([
      [/^id -u$/, { stdout: '0\n' }],
      [/^sh -s -- check/, { stdout: FACTS }],
      [/apt-cache policy nodejs/, { stdout: '18.19.0+dfsg-6~deb12u2\n' }],
    ]);
    await expect((await provisioner(old.shell)).installNode()).rejects.toMatchObject({ code: 'NODE_PACKAGE_TOO_OLD', message: expect.stringMatching(/offers Node\.js 18\.19\.0.*needs 20 or newer/) });
    const wrong = fakeShell([
      [/^id -u$/, { stdout: '1000\n' }],
      [/^sudo -n true$/, { code: 1 }],
      [/^sudo -S -p '' true$/, { code: 1 }],
      [/^sh -s -- check/, { stdout: FACTS }],
      [/apt-cache policy nodejs/, { stdout: '20.1.0\n' }],
    ]);
    await expect((await provisioner(wrong.shell, 'nope')).installNode()).rejects.toMatchObject({ code: 'SUDO_PASSWORD_INVALID' });
    const none = fakeShell([
      [/^id -u$/, { stdout: '1000\n' }],
      [/^sudo -n true$/, { code: 1 }],
      [/^sh -s -- check/, { stdout: FACTS }],
      [/apt-cache policy nodejs/, { stdout: '20.1.0\n' }],
    ]);
    await expect((await provisioner(none.shell)).installNode()).rejects.toMatchObject({ code: 'SUDO_PASSWORD_REQUIRED' });
  });
});
