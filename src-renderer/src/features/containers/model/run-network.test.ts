import { describe, expect, it } from 'vitest';
import { fakeNetwork as net } from '../../../testing/fixtures';
import { runNetworkOptions } from './run-network';

describe('run dialog networks', () => {
  it('offers user bridge networks to the run dialog, not predefined ones twice', () => {
    const opts = runNetworkOptions([net({ name: 'bridge', predefined: true }), net({}), net({ name: 'h', driver: 'host', predefined: true })]);
    expect(opts.map((o) => o.value)).toEqual(['default', 'none', 'host', 'app']);
    expect(opts[3]?.label).toBe('app (172.20.0.0/16)');
  });
});
