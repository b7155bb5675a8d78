import { describe, expect, it } from 'vitest';
import { parseNetDev } from './proc-info';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0
  eth0: 2417044    1724    1    2    0     0          0         0    95870    1312    3    4    0     0       0          0
`;

describe('parseNetDev', () => {
  it('gives each interface but lo its counters, as the stats API names them', () => {
    expect(parseNetDev(NET_DEV)).toEqual({
      eth0: { rxBytes: 2417044, rxPackets: 1724, rxErrors: 1, rxDropped: 2, txBytes: 95870, txPackets: 1312, txErrors: 3, txDropped: 4 },
    });
  });
  it('ignores what it cannot read', () => {
    expect(parseNetDev('header\nheader\n  eth0: 1 2 3\n')).toEqual({});
  });
});
