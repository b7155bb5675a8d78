import { describe, expect, it } from 'vitest';
import { fixedHostPorts, parseAliases, parsePorts } from './run-ports';

describe('run dialog ports', () => {
  it('reads the forms of docker run -p', () => {
    expect(parsePorts('8080:80, 127.0.0.1:5353:53/udp\n443')).toEqual([
      { hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, proto: 'udp' },
      { hostIp: '', hostPort: 0, containerPort: 443, proto: 'tcp' },
    ]);
  });
  it('expands equal ranges and refuses unequal ones', () => {
    expect(parsePorts('8000-8001:80-81')).toHaveLength(2);
    expect(parsePorts('8000-8002:80-81')).toMatch(/differ in length/);
  });
  it('names what is wrong', () => {
    expect(parsePorts('8080:http')).toMatch(/container port/);
    expect(parsePorts('99999:80')).toMatch(/host port/);
    expect(parsePorts('80/sctp')).toMatch(/tcp or udp/);
    expect(parsePorts('1.2.3:80:80')).toMatch(/IPv4/);
  });
  it('checks only fixed host ports, once each', () => {
    const ports = parsePorts('8080:80, 8080:80, 81') as ReturnType<typeof parsePorts> & object[];
    expect(fixedHostPorts(ports as never)).toEqual([{ port: 8080, proto: 'tcp', ip: '' }]);
  });
  it('reads aliases', () => {
    expect(parseAliases('web, www  api')).toEqual(['web', 'www', 'api']);
    expect(parseAliases('we b!')).toMatch(/not a host name/);
  });
});
