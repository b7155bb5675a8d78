import { describe, expect, it } from 'vitest';
import { fakeNetwork as net } from '../../../testing/fixtures';
import { validateCreateNetwork } from './create-network-form';
import { toNetworkRowView } from './network-mapper';

const form = { name: 'app', subnet: '', gateway: '', ipRange: '', internal: false, labels: '' };

describe('network rows', () => {
  it('shows subnet, gateway and the attached containers with their addresses', () => {
    const r = toNetworkRowView(net({ endpoints: [{ containerId: 'c1', containerName: 'web', ipv4: '172.20.0.2', mac: '' }] }), Date.now());
    expect(r).toMatchObject({ subnet: '172.20.0.0/16', gateway: '172.20.0.1', containers: 'web 172.20.0.2', containerCount: 1 });
    expect(r.removeBlocker).toMatch(/In use by 1 container/);
  });
  it('says a predefined network cannot be removed, and shows no subnet for host', () => {
    const r = toNetworkRowView(net({ name: 'host', driver: 'host', predefined: true, subnets: [] }), Date.now());
    expect(r.subnet).toBe('—');
    expect(r.removeBlocker).toMatch(/predefined/);
  });
});

describe('create network form', () => {
  it('accepts a name alone', () => expect(validateCreateNetwork(form)).toEqual({}));
  it('refuses predefined names and bad characters', () => {
    expect(validateCreateNetwork({ ...form, name: 'bridge' }).name).toMatch(/predefined/);
    expect(validateCreateNetwork({ ...form, name: '-x' }).name).toBeDefined();
  });
  it('wants the gateway and range inside the subnet, as dockerd', () => {
    expect(validateCreateNetwork({ ...form, subnet: '10.5.0.0/16', gateway: '10.5.0.1', ipRange: '10.5.1.0/24' })).toEqual({});
    expect(validateCreateNetwork({ ...form, subnet: '10.5.0.0/16', gateway: '10.6.0.1' }).gateway).toMatch(/Not inside/);
    expect(validateCreateNetwork({ ...form, gateway: '10.6.0.1' }).gateway).toMatch(/needs a subnet/);
    expect(validateCreateNetwork({ ...form, subnet: '10.5.0.0/16', ipRange: '10.0.0.0/8' }).ipRange).toMatch(/Not inside/);
    expect(validateCreateNetwork({ ...form, subnet: '10.5.0.0' }).subnet).toBeDefined();
  });
  it('checks labels', () => expect(validateCreateNetwork({ ...form, labels: 'a=b, c' }).labels).toMatch(/key=value/));
});
