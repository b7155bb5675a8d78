import { describe, expect, it } from 'vitest';
import { detectShellForm, toShellFormWarning } from './shell-form';

describe('detectShellForm', () => {
  it('flags a shell-form CMD without entrypoint', () => {
    const f = detectShellForm({ Cmd: ['/bin/sh', '-c', 'sleep 1000'], Entrypoint: null });
    expect(f).toMatchObject({ field: 'CMD', shell: '/bin/sh', script: 'sleep 1000', execFormSuggestion: ['sleep', '1000'] });
  });

  it('accepts exec form', () => {
    expect(detectShellForm({ Cmd: ['sh'] })).toBeNull();
    expect(detectShellForm({ Cmd: ['redis-server', '--port', '6379'] })).toBeNull();
    expect(detectShellForm({})).toBeNull();
    expect(detectShellForm(null)).toBeNull();
  });

  it('ignores a shell-form CMD when an exec-form ENTRYPOINT is PID 1', () => {
    expect(detectShellForm({ Entrypoint: ['/usr/bin/tini', '--'], Cmd: ['/bin/sh', '-c', 'sleep 5'] })).toBeNull();
  });

  it('flags a shell-form ENTRYPOINT, with the script in the entrypoint or in CMD', () => {
    expect(detectShellForm({ Entrypoint: ['/bin/sh', '-c', 'nginx -g daemon'], Cmd: null })).toMatchObject({ field: 'ENTRYPOINT', script: 'nginx -g daemon' });
    expect(detectShellForm({ Entrypoint: ['sh', '-c'], Cmd: ['run.sh'] })).toMatchObject({ field: 'ENTRYPOINT', script: 'run.sh' });
  });

  it('recognises other shells and combined flags', () => {
    expect(detectShellForm({ Cmd: ['/bin/bash', '-ec', 'make run'] })).toMatchObject({ shell: '/bin/bash' });
    expect(detectShellForm({ Cmd: ['/bin/sh', 'script.sh'] })).toBeNull();
  });

  it('treats a script that ends by exec-ing the program as exec form', () => {
    expect(detectShellForm({ Cmd: ['/bin/sh', '-c', 'exec nginx -g "daemon off;"'] })).toBeNull();
    expect(detectShellForm({ Cmd: ['/bin/sh', '-c', 'setup; exec nginx'] })).toBeNull();
    expect(detectShellForm({ Cmd: ['sh', '-c', "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www"] })).toBeNull();
    expect(detectShellForm({ Cmd: ['sh', '-c', 'setup\nexec nginx'] })).toBeNull();
  });

  it('keeps the shell-form warning when the exec may not be reached or the shell stays', () => {
    expect(detectShellForm({ Cmd: ['sh', '-c', 'exec nginx; cleanup'] })).not.toBeNull();
    expect(detectShellForm({ Cmd: ['sh', '-c', 'setup || exec nginx'] })).not.toBeNull();
    expect(detectShellForm({ Cmd: ['sh', '-c', 'tail -f /log | exec cat'] })).not.toBeNull();
    expect(detectShellForm({ Cmd: ['sh', '-c', 'worker & exec nginx'] })).not.toBeNull();
    expect(detectShellForm({ Cmd: ['sh', '-c', 'setup; exec'] })).not.toBeNull();
  });

  it('suggests exec form only for plain commands', () => {
    expect(detectShellForm({ Cmd: ['/bin/sh', '-c', 'echo $HOME'] })?.execFormSuggestion).toBeNull();
    expect(detectShellForm({ Cmd: ['/bin/sh', '-c', 'a && b'] })?.execFormSuggestion).toBeNull();
  });

  it('accepts the single-string form old clients send', () => {
    expect(detectShellForm({ Cmd: 'sleep' })).toBeNull();
  });
});

describe('toShellFormWarning', () => {
  it('explains PID 1, the stop timeout and both fixes', () => {
    const w = toShellFormWarning(detectShellForm({ Cmd: ['/bin/sh', '-c', 'sleep 1000'] })!);
    expect(w.title).toContain('PID 1');
    expect(w.why).toMatch(/SIGTERM/);
    expect(w.why).toMatch(/whole timeout/);
    expect(w.fix).toContain('CMD ["sleep","1000"]');
    expect(w.fix).toContain('--init');
    // Exec form alone does not stop `sleep`: PID 1 has no default signal actions.
    expect(w.fix).toMatch(/Run it with --init/);
    expect(w.fix).toMatch(/only if the program installs its own SIGTERM handler/);
    expect(w.fix).not.toMatch(/Use the exec form/);
  });
});
