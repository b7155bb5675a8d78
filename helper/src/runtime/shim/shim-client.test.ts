import { describe, expect, it } from 'vitest';
import { FRAME, FrameDecoder, encodeFrame, encodeResize, parseExitRecord } from './monitor-protocol';
import { parseProcStat, parseProcessInfo } from './proc-info';
import { toExitStatus } from './monitored-process';

describe('monitor framing', () => {
  it('decodes frames split at any byte', () => {
    const wire = Buffer.concat([encodeFrame(FRAME.stdout, 'hello'), encodeFrame(FRAME.stderr, ''), encodeResize(24, 80)]);
    const d = new FrameDecoder();
    const frames = [...wire].flatMap((b) => d.push(Buffer.from([b])));
    expect(frames.map((f) => [f.type, f.payload.toString('hex')])).toEqual([
      [1, Buffer.from('hello').toString('hex')],
      [2, ''],
      [FRAME.resize, '00180050'],
    ]);
  });
  it('parses exit records and maps them to ExitStatus', () => {
    const r = parseExitRecord('{"exitCode":137,"signal":9,"oomKills":1,"startedAt":"2024-01-01T00:00:00.000000001Z","finishedAt":"2024-01-01T00:00:01.5Z","started":true}');
    expect(r).toMatchObject({ exitCode: 137, signal: 9, oomKills: 1, started: true });
    expect(toExitStatus(r, 1)).toMatchObject({ exitCode: 137, signal: 9, oomKilled: true });
    expect(parseExitRecord('garbage')).toBeUndefined();
    expect(toExitStatus(undefined, 0)).toMatchObject({ exitCode: 137, signal: 9 });
  });
});

describe('/proc parsing', () => {
  it('reads host and container pids, args and times', () => {
    const status = 'Name:\tsleep\nState:\tS (sleeping)\nPPid:\t10\nUid:\t0\t0\t0\t0\nGid:\t5\t5\t5\t5\nNSpid:\t4242\t1\nVmRSS:\t  600 kB\n';
    const stat = '4242 (my (odd) name) S 10 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 5555 1000 150 0';
    const info = parseProcessInfo(4242, status, stat, Buffer.from('sleep\u0000100\u0000'));
    expect(info).toEqual({ hostPid: 4242, containerPid: 1, hostPpid: 10, uid: 0, gid: 5, args: ['sleep', '100'], state: 'S', cpuTicks: 10, startTimeTicks: 5555, rssBytes: 600 * 1024 });
  });
  it('sums /proc/stat cpu time and counts cpus', () => {
    expect(parseProcStat('cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 40 0 0 0 0 0 0\nintr 1\n')).toEqual({ systemCpuNs: 1e9, onlineCpus: 2 });
  });
});
