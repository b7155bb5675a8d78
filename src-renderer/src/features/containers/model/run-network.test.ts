import { describe, expect, it } from 'vitest';
import type { NetworkView } from '../../../../../src-shared/ipc/models/networks';
import { runNetworkOptions } from './run-network';

const net = (over: Partial<NetworkView>): NetworkView => ({
  id: 'a'.repeat(64),
  name: 'app',
  driver: 'bridge',
  predefined: false,
  internal: false,
  attachable: false,
  created: 0,
  subnets: [{ subnet: '172.20.0.0/16', gateway: '172.20.0.1', ipRange: '' }],
  labels: {},
  options: {},
  endpoints: [],
  ...over,
});

describe('run dialog networks', () => {
  it('offers user bridge networks to the run dialog, not predefined ones twice', () => {
    const opts = runNetworkOptions([net({ name: 'bridge', predefined: true }), net({}), net({ name: 'h', driver: 'host', predefined: true })]);
    expect(opts.map((o) => o.value)).toEqual(['default', 'none', 'host', 'app']);
    expect(opts[3]?.label).toBe('app (172.20.0.0/16)');
  });
});
