import { describe, expect, it } from 'vitest';
import { ConfigValidationError, formatPath, parseDaemonConfig } from './daemon-config-parse';
import { DEFAULT_DAEMON_CONFIG } from './daemon-config';

function refusal(text: string): ConfigValidationError {
  try {
    parseDaemonConfig(text);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err;
    throw err;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseDaemonConfig', () => {
  it('gives the defaults for an empty object', () => {
    expect(parseDaemonConfig('{}')).toEqual({ config: DEFAULT_DAEMON_CONFIG, warnings: [] });
  });

  it('reads every supported key and normalises mirror URLs and hosts', () => {
    const { config } = parseDaemonConfig(
      JSON.stringify({
        'registry-mirrors': ['https://Mirror.Example.com/', 'http://127.0.0.1:5000', 'HTTP://127.0.0.1:5000/', 'https://m2.example:443'],
        mirrors: { 'GHCR.io': ['http://127.0.0.1:5001/'], 'registry.local:5000': ['https://[::1]:5002'] },
        'insecure-registries': ['Registry.Local:5000', '10.0.0.0/8'],
        'max-concurrent-downloads': 6,
        'max-concurrent-uploads': 2,
        debug: true,
        'seccomp-profile': '/etc/berth/seccomp.json',
        'no-new-privileges': true,
      }),
    );
    expect(config).toEqual({
      registryMirrors: ['https://mirror.example.com', 'http://127.0.0.1:5000', 'https://m2.example'],
      mirrors: { 'ghcr.io': ['http://127.0.0.1:5001'], 'registry.local:5000': ['https://[::1]:5002'] },
      insecureRegistries: ['registry.local:5000', '10.0.0.0/8'],
      maxConcurrentDownloads: 6,
      maxConcurrentUploads: 2,
      debug: true,
      seccompProfile: '/etc/berth/seccomp.json',
      noNewPrivileges: true,
    });
  });

  it('takes userns-remap (resolved at start), refuses a malformed one and a relative seccomp-profile', () => {
    expect(parseDaemonConfig('{"userns-remap": "default"}').config.usernsRemap).toBe('default');
    expect(parseDaemonConfig('{"userns-remap": "alice:staff"}').config.usernsRemap).toBe('alice:staff');
    expect(parseDaemonConfig('{"userns-remap": ""}').config.usernsRemap).toBeUndefined();
    expect(() => parseDaemonConfig('{"userns-remap": "a:b:c"}')).toThrow(/userns-remap/);
    expect(() => parseDaemonConfig('{"seccomp-profile": "seccomp.json"}')).toThrow(/absolute path/);
  });

  it.each([
    ['ftp://x', 'invalid registry-mirrors[1]: "ftp://x" must be an http or https URL without path'],
    ['https://mirror.example/v2/', 'remove the path "/v2/"'],
    ['https://mirror.example/?x=1', 'remove the query or fragment'],
    ['https://mirror.example/#frag', 'remove the query or fragment'],
    ['https://user:pw@mirror.example', 'credentials are not allowed'],
    ['mirror.example', 'is not a valid URL'],
  ])('refuses the mirror %s naming the key', (bad, expected) => {
    const err = refusal(JSON.stringify({ 'registry-mirrors': ['https://ok.example', bad] }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.kind).toBe('InvalidArgument');
    expect(err.key).toBe('registry-mirrors[1]');
    expect(err.message).toContain(expected);
  });

  it('refuses bad per-registry mirrors and hosts', () => {
    expect(refusal('{"mirrors": {"ghcr.io": ["ftp://x"]}}').message).toMatch(/^invalid mirrors\.ghcr\.io\[0\]: "ftp:\/\/x" must be/);
    expect(refusal('{"mirrors": {"http://ghcr.io": ["http://x"]}}').message).toBe('invalid mirrors key: "http://ghcr.io" must be a host[:port] without a scheme');
    expect(refusal('{"mirrors": {"docker.io": ["http://x"]}}').message).toContain('list its mirrors in "registry-mirrors"');
    expect(refusal('{"insecure-registries": ["http://r:5000"]}').message).toContain('invalid insecure-registries[0]');
    expect(refusal('{"insecure-registries": ["r:99999"]}').message).toContain('invalid port');
    expect(refusal('{"insecure-registries": ["10.0.0.0/33"]}').message).toContain('prefix length');
  });

  it('refuses wrong types and ranges naming the key', () => {
    expect(refusal('{"registry-mirrors": "http://x"}').key).toBe('registry-mirrors');
    expect(refusal('{"max-concurrent-downloads": 0}').message).toBe('invalid max-concurrent-downloads: must be at least 1');
    expect(refusal('{"max-concurrent-uploads": 1.5}').message).toBe('invalid max-concurrent-uploads: must be a whole number');
    expect(refusal('{"debug": "yes"}').key).toBe('debug');
    expect(refusal('[]').message).toContain('top level must be a JSON object');
  });

  it('refuses unknown keys with dockerd\'s message', () => {
    const err = refusal('{"registry-mirrors": [], "registry-mirror": ["http://x"], "colour": 1}');
    expect(err.code).toBe('CONFIG_UNKNOWN_KEYS');
    expect(err.message).toBe("the following directives don't match any configuration option: registry-mirror, colour");
  });

  it('accepts dockerd keys it does not use, with a warning', () => {
    const { config, warnings } = parseDaemonConfig(
      JSON.stringify({
        'log-driver': 'json-file',
        'log-opts': { 'max-size': '10m' },
        'storage-driver': 'overlay2',
        'data-root': '/srv/docker',
        hosts: ['unix:///var/run/docker.sock'],
        features: { buildkit: true },
        builder: { gc: { enabled: true } },
        'log-level': 'warn',
        experimental: false,
        'registry-mirrors': ['https://m.example'],
      }),
    );
    expect(config.registryMirrors).toEqual(['https://m.example']);
    // log-driver/log-opts are applied (new containers' defaults); storage-driver overlay2 is what berthd does anyway.
    expect(config).toMatchObject({ logDriver: 'json-file', logOpts: { 'max-size': '10m' } });
    expect(warnings).toHaveLength(6);
    expect(warnings.join('\n')).toContain('"data-root" is a dockerd option that berthd ignores: berthd takes its data root from --data-root');
    expect(parseDaemonConfig('{"storage-driver": "btrfs"}').warnings).toEqual(['"storage-driver" is a dockerd option that berthd ignores: berthd always uses overlay2']);
  });

  it('refuses a log-driver or log-opts a create would refuse', () => {
    expect(refusal('{"log-driver": "syslog"}').message).toContain('log driver "syslog" is not supported by berthd');
    expect(refusal('{"log-opts": {"max-size": "huge"}}')).toMatchObject({ key: 'log-opts' });
    expect(parseDaemonConfig('{"log-driver": "local", "log-opts": {"max-size": "5m"}}').config).toMatchObject({ logDriver: 'local', logOpts: { 'max-size': '5m' } });
  });

  it('reports JSON syntax errors with line and column', () => {
    const err = refusal('{\n  "registry-mirrors": ["http://a",]\n}');
    expect(err.code).toBe('CONFIG_INVALID_JSON');
    expect(err.position).toEqual({ offset: 36, line: 2, column: 35 });
    expect(err.message).toBe('invalid JSON at line 2, column 35: trailing comma before "]"');
  });

  it('formats key paths', () => {
    expect(formatPath(['registry-mirrors', 1])).toBe('registry-mirrors[1]');
    expect(formatPath(['mirrors', 'ghcr.io', 0])).toBe('mirrors.ghcr.io[0]');
    expect(formatPath([])).toBe('config');
  });
});
