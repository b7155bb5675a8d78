import { describe, expect, it } from 'vitest';
import { EMPTY_RUN_FORM, commandOf, parseMemory, toRunSpec, validateRunForm, type RunForm } from './run-form';

const form = (over: Partial<RunForm>): RunForm => ({ ...EMPTY_RUN_FORM, image: 'busybox', ...over });

describe('run form', () => {
  it('defaults to exec form with a TTY', () => {
    expect(EMPTY_RUN_FORM.commandMode).toBe('exec');
    expect(toRunSpec(form({}))).toEqual({ image: 'busybox', tty: true, openStdin: true, init: false, autoRemove: false, network: 'default' });
  });

  it('passes the argument list through as argv, with no shell', () => {
    const spec = toRunSpec(form({ args: ['sh', '-c', 'echo "a b"; sleep 1', ''] }));
    expect(spec.cmd).toEqual(['sh', '-c', 'echo "a b"; sleep 1']);
    expect(commandOf(form({ args: [''] }))).toBeUndefined();
  });

  it('wraps the shell form in /bin/sh -c only when asked', () => {
    expect(toRunSpec(form({ commandMode: 'shell', script: 'sleep 1000' })).cmd).toEqual(['/bin/sh', '-c', 'sleep 1000']);
    expect(validateRunForm(form({ commandMode: 'shell', script: ' ' })).command).toBeDefined();
  });

  it('parses memory like docker -m', () => {
    expect(parseMemory('64m')).toBe(64 * 1024 * 1024);
    expect(parseMemory('1g')).toBe(1024 ** 3);
    expect(parseMemory('512k')).toBe(512 * 1024);
    expect(parseMemory('100')).toBe(100);
    expect(parseMemory('1.5GB')).toBe(1.5 * 1024 ** 3);
    expect(parseMemory('lots')).toBeNull();
  });

  it('maps limits, env, binds, network and flags', () => {
    const spec = toRunSpec(
      form({
        name: 'web',
        env: 'A=1\n\nB=two words\n',
        memory: '32m',
        cpus: '0.5',
        pidsLimit: '50',
        tty: false,
        init: true,
        autoRemove: true,
        network: 'none',
        binds: '/srv/data:/data:ro\n',
      }),
    );
    expect(spec).toMatchObject({
      name: 'web',
      env: ['A=1', 'B=two words'],
      memoryBytes: 32 * 1024 * 1024,
      cpus: 0.5,
      pidsLimit: 50,
      tty: false,
      openStdin: false,
      init: true,
      autoRemove: true,
      network: 'none',
      binds: ['/srv/data:/data:ro'],
    });
  });

  it('reports each bad field', () => {
    const errors = validateRunForm(
      form({ image: '', name: '-x', env: 'NOEQ\n=v', memory: '1k', cpus: '-1', pidsLimit: '1.5', binds: 'rel/ative:/data' }),
    );
    expect(Object.keys(errors).sort()).toEqual(['binds', 'cpus', 'env', 'image', 'memory', 'name', 'pidsLimit']);
    expect(errors.env).toMatch(/Line 2/);
    expect(validateRunForm(form({ env: '=v' })).env).toMatch(/Line 1/);
    expect(validateRunForm(form({ binds: '/a:/b:rx' })).binds).toMatch(/ro or rw/);
    expect(validateRunForm(form({}))).toEqual({});
  });

  it('maps the health check, log rotation, ports and aliases, and checks them', () => {
    const spec = toRunSpec(form({ healthCmd: 'exit 1', healthInterval: '0.5', healthRetries: '2', logMaxSize: '1M', logMaxFile: '3', network: 'shop', aliases: 'api', ports: '8080:80' }));
    expect(spec.healthcheck).toEqual({ command: 'exit 1', intervalSeconds: 0.5, retries: 2 });
    expect(spec.logRotation).toEqual({ maxSize: '1m', maxFile: 3 });
    expect(spec.aliases).toEqual(['api']);
    expect(spec.ports).toEqual([{ hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' }]);
    expect(validateRunForm(form({ healthInterval: '5' })).health).toMatch(/check command/);
    expect(validateRunForm(form({ healthCmd: 'true', healthRetries: '0' })).health).toMatch(/Retries/);
    expect(validateRunForm(form({ logMaxFile: '2' })).logs).toMatch(/maximum size/);
    expect(validateRunForm(form({ logMaxSize: '10x' })).logs).toMatch(/like 10m/);
    expect(validateRunForm(form({ aliases: 'api' })).aliases).toMatch(/user-defined network/);
    expect(validateRunForm(form({ network: 'host', ports: '80' })).ports).toMatch(/bridge network/);
  });
});
