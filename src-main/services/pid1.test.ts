import { describe, expect, it } from 'vitest';
import { isShellForm, pid1Warning } from './pid1';

describe('PID 1 shell-form warning', () => {
  it('flags shell-form Cmd, not exec form', () => {
    expect(isShellForm(['/bin/sh', '-c', 'redis-server'])).toBe(true);
    expect(isShellForm(['redis-server'])).toBe(false);
    expect(isShellForm(['sh'])).toBe(false);
    const w = pid1Warning(null, ['/bin/sh', '-c', 'sleep 1000']);
    expect(w?.field).toBe('Cmd');
    expect(w?.command).toBe('/bin/sh -c "sleep 1000"');
    expect(w?.reason).toMatch(/SIGTERM/);
    // --init first: exec form alone only helps a program that handles SIGTERM (PID 1 has no default actions).
    expect(w?.fix).toMatch(/^Run it with --init.*exec form.*handles SIGTERM itself/s);
    expect(pid1Warning(null, ['sleep', '1000'])).toBeNull();
  });

  it('a non-empty Entrypoint decides; --init clears the warning', () => {
    expect(pid1Warning(['/entry'], ['/bin/sh', '-c', 'x'])).toBeNull();
    expect(pid1Warning(['/bin/sh', '-c', 'exec x'], ['ignored'])?.field).toBe('Entrypoint');
    expect(pid1Warning(null, ['/bin/sh', '-c', 'x'], true)).toBeNull();
  });
});
