import { describe, expect, it } from 'vitest';
import { dnsNetworkOrder } from './dns-order';

describe('dnsNetworkOrder (libnetwork epHeap)', () => {
  it('puts internal networks last and sorts the rest by name', () => {
    const nets = [
      { id: '1', name: 'parity_front' },
      { id: '2', name: 'parity_back', internal: true },
      { id: '3', name: 'parity_default' },
    ];
    expect(dnsNetworkOrder(nets).map((n) => n.name)).toEqual(['parity_default', 'parity_front', 'parity_back']);
  });
});
