import { it } from 'vitest';
import { startContainersEnv } from './containers-env';
it('try', async () => {
  const env = await startContainersEnv();
  try {
    const r = async (a: string[]) => { const x = await env.d(a); return `${x.code} ${x.stdout}${x.stderr}`; };
    console.log(await r(['create', '--name', 'rt', env.image, 'sleep', '300']));
    console.log(await r(['cp', '/etc/hostname', 'rt:/srv/']));
    console.log(await r(['start', 'rt']));
    console.log(await r(['exec', 'rt', 'sh', '-c', 'ls -la /srv; stat -c "%n %a %u:%g %h" /srv/hostname']));
    console.log(await r(['exec', 'rt', 'cat', '/proc/mounts']));
    console.log(env.berthd.logs().split('\n').filter(l => /error|warn/i.test(l)).slice(-10).join('\n'));
  } finally {
    await env.cleanup();
  }
}, 300000);
