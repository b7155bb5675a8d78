import { describe, expect, it } from 'vitest';
import { DEFAULT_DAEMON_CONFIG } from '../../config/daemon-config';
import { toRegistryConfigDto } from './system-dto';

describe('toRegistryConfigDto', () => {
  it('shapes the live config like dockerd /info', () => {
    const dto = toRegistryConfigDto({
      ...DEFAULT_DAEMON_CONFIG,
      registryMirrors: ['http://127.0.0.1:5001', 'https://mirror.example'],
      mirrors: { 'ghcr.io': ['http://127.0.0.1:5002'], 'reg.local:5000': ['http://127.0.0.1:5003'] },
      insecureRegistries: ['reg.local:5000', '10.0.0.0/8'],
    });
    expect(dto).toEqual({
      Mirrors: ['http://127.0.0.1:5001/', 'https://mirror.example/'],
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8', '10.0.0.0/8'],
      IndexConfigs: {
        'docker.io': { Name: 'docker.io', Mirrors: ['http://127.0.0.1:5001/', 'https://mirror.example/'], Secure: true, Official: true },
        'reg.local:5000': { Name: 'reg.local:5000', Mirrors: ['http://127.0.0.1:5003/'], Secure: false, Official: false },
        'ghcr.io': { Name: 'ghcr.io', Mirrors: ['http://127.0.0.1:5002/'], Secure: true, Official: false },
      },
    });
  });
});
