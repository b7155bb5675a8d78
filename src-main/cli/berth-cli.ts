/**
 * `npm run berth -- <command>`: the app's host management without the window.
 *
 *   host check|install|upgrade|uninstall|status user@host[:port] [--key FILE] [--agent SOCK]
 *        [--prefix DIR] [--data-root DIR] [--socket PATH] [--config FILE] [--service NAME]
 *        [--no-systemd] [--keep-data] [--known-hosts FILE] [--accept-host-key SHA256:…]
 *
 * Host keys are verified against the user's known_hosts and Berth's own file: an unknown key is
 * refused with its fingerprint, and accepted only when that exact fingerprint is passed back with
 * --accept-host-key (as the app's dialog does). A sudo password, when needed, is read from the
 * terminal without echo and never stored. This is a composition root, like src-main/app and web.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { KnownHostsStore } from '../connections/ssh/known-hosts';
import { HostKeyError, SshConnection } from '../connections/ssh/ssh-connection';
import { HostProvisioner, type InstallTarget } from '../provisioning/provisioner';
import { MachineManager } from '../machines/machine-manager';
import { spawnSync } from 'node:child_process';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

const USAGE = `usage: npm run berth -- machine init|start|stop|rm|list|ssh [NAME] [--cpus N] [--memory MiB] [--disk GiB] [--share DIR]
       npm run berth -- host check|install|upgrade|uninstall|status user@host[:port] [options]
  --key FILE            private key (default: the SSH agent, then ~/.ssh/id_ed25519)
  --agent SOCK          SSH agent socket (default $SSH_AUTH_SOCK)
  --prefix DIR          install prefix on the host (default /opt/berth)
  --data-root DIR       berthd data root (default /var/lib/berth)
  --socket PATH         berthd socket (default /run/berth/berthd.sock)
  --config FILE         daemon.json (default /etc/berth/daemon.json)
  --service NAME        systemd unit name (default berthd)
  --no-systemd          run berthd under the installer's supervisor even where systemd runs
  --keep-data           uninstall: keep the data root (containers, images, volumes)
  --known-hosts FILE    extra known_hosts file to trust
  --accept-host-key FP  trust this SHA256 fingerprint if the host presents it`;

/** A CLI's answer goes to stdout; diagnostics go to stderr. */
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function askHidden(prompt: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write(prompt);
  out._writeToOutput = () => undefined;
  const answer = await new Promise<string>((res) => rl.question('', res));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' }, agent: { type: 'string' }, prefix: { type: 'string' }, 'data-root': { type: 'string' },
      socket: { type: 'string' }, config: { type: 'string' }, service: { type: 'string' }, 'no-systemd': { type: 'boolean' },
      'keep-data': { type: 'boolean' }, 'known-hosts': { type: 'string' }, 'accept-host-key': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      cpus: { type: 'string' }, memory: { type: 'string' }, disk: { type: 'string' }, share: { type: 'string' },
    },
  });
  const [area, command, dest] = positionals;
  if (area === 'machine' && command !== undefined) return machineCommand(command, dest, values);
  if (values.help || area !== 'host' || command === undefined || dest === undefined) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const m = /^(?:([^@]+)@)?([^:@]+)(?::(\d+))?$/.exec(dest);
  if (!m) {
    console.error(`berth: cannot read ${dest} as user@host[:port]`);
    return 2;
  }
  const [, user = process.env.USER ?? 'root', host = '', port = '22'] = m;
  const stateDir = join(homedir(), '.config', 'berth');
  const knownHosts = new KnownHostsStore({ ownFile: join(stateDir, 'known_hosts'), readFiles: [join(homedir(), '.ssh/known_hosts'), ...(values['known-hosts'] ? [values['known-hosts']] : [])] });
  const agent = values.agent ?? process.env.SSH_AUTH_SOCK;
  const conn = new SshConnection({
    host, port: Number(port), user, keyPath: values.key ?? (agent ? undefined : join(homedir(), '.ssh/id_ed25519')), agentSocket: agent,
    remoteSocket: values.socket ?? '/run/berth/berthd.sock', knownHosts,
  });
  try {
    await conn.connect();
  } catch (err) {
    if (!(err instanceof HostKeyError)) throw err;
    if (err.verdict.result !== 'unknown' || values['accept-host-key'] !== err.verdict.fingerprint) {
      console.error(`berth: ${err.message}\nTo trust it, run again with --accept-host-key ${err.verdict.result === 'unknown' ? err.verdict.fingerprint : '<fingerprint>'}`);
      return 1;
    }
    await knownHosts.accept(host, Number(port), err.keyBlob);
    await conn.connect();
  }
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const provisioner = new HostProvisioner(conn, {
    bundleDir: join(REPO_ROOT, 'out/bundle'),
    version,
    installerPath: join(REPO_ROOT, 'resources/berthd/install.sh'),
    sudoPassword: () => askHidden(`[sudo] password for ${user}@${host}: `),
  });
  const target: InstallTarget = {
    prefix: values.prefix, dataRoot: values['data-root'], socket: values.socket, config: values.config, service: values.service, noSystemd: values['no-systemd'],
  };
  const onStep = (s: string): void => say(`==> ${s}`);
  try {
    switch (command) {
      case 'check': {
        const { facts, problems } = await provisioner.check(target);
        say(JSON.stringify(facts, null, 2));
        for (const p of problems) say(`problem: ${p.message}`);
        return problems.length > 0 ? 1 : 0;
      }
      case 'install':
        say(`installed berthd ${(await provisioner.install(target, onStep)).version} on ${host}`);
        return 0;
      case 'upgrade': {
        const r = await provisioner.upgrade(target, onStep);
        say(r ? `upgraded berthd ${r.from} -> ${r.to} on ${host}` : `berthd on ${host} is already ${version}`);
        return 0;
      }
      case 'uninstall':
        await provisioner.uninstall({ ...target, keepData: values['keep-data'] }, onStep);
        say(`removed berthd from ${host}${values['keep-data'] ? ' (data root kept)' : ''}`);
        return 0;
      case 'status': {
        const { facts } = await provisioner.check(target);
        say(facts.installed ? `berthd ${facts.installed} is installed on ${host}` : `berthd is not installed on ${host}`);
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    conn.close();
  }
}

async function machineCommand(command: string, name: string | undefined, values: Record<string, string | boolean | undefined>): Promise<number> {
  const stateDir = join(homedir(), '.config', 'berth');
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const manager = new MachineManager({
    stateDir,
    knownHosts: new KnownHostsStore({ ownFile: join(stateDir, 'known_hosts'), readFiles: [] }),
    guestNode: process.execPath,
    bundleDir: join(REPO_ROOT, 'out/bundle'),
    version,
    installerPath: join(REPO_ROOT, 'resources/berthd/install.sh'),
  });
  const onStep = (s: string): void => say(`==> ${s}`);
  const num = (v: string | boolean | undefined): number | undefined => (typeof v === 'string' ? Number(v) : undefined);
  if (command === 'list') {
    for (const m of await manager.list()) say(`${m.name}\t${m.state}\t${m.cpus} CPU\t${m.memoryMiB} MiB\t${m.diskGiB} GiB\tssh 127.0.0.1:${m.sshPort}\t${m.acceleratorLabel}`);
    return 0;
  }
  if (name === undefined) {
    console.error(USAGE);
    return 2;
  }
  switch (command) {
    case 'init': {
      const share = typeof values.share === 'string' ? values.share : homedir();
      const m = await manager.init({ name, cpus: num(values.cpus), memoryMiB: num(values.memory), diskGiB: num(values.disk), shareHome: share }, onStep);
      say(`machine ${m.name} created (${m.cpus} CPU, ${m.memoryMiB} MiB, ${m.diskGiB} GiB; ${share} shared). Start it with: npm run berth -- machine start ${m.name}`);
      return 0;
    }
    case 'start': {
      const m = await manager.start(name, onStep);
      say(`machine ${name} is running (${m.acceleratorLabel}); berthd answers at ssh://root@127.0.0.1:${m.sshPort}${m.remoteSocket}`);
      return 0;
    }
    case 'stop':
      await manager.stop(name);
      return 0;
    case 'rm':
      await manager.remove(name);
      return 0;
    case 'ssh': {
      const [bin, ...args] = await manager.sshCommand(name);
      return spawnSync(bin!, args, { stdio: 'inherit' }).status ?? 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`berth: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
