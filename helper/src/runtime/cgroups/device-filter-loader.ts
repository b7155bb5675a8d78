import { execFile } from 'node:child_process';
import { internal } from '../../lib/errors';

/** Runs the native berth-devfilter: the program on stdin, the cgroup directory as its argument. */
export function nativeDeviceFilterLoader(binary: string): (cgroupDir: string, program: Buffer) => Promise<void> {
  return (cgroupDir, program) =>
    new Promise((resolve, reject) => {
      const child = execFile(binary, [cgroupDir], { timeout: 10_000 }, (err, _stdout, stderr) => {
        if (err) reject(internal('DEVICE_FILTER_FAILED', `cgroup v2 device filter for ${cgroupDir}: ${stderr.trim() || err.message}`, err));
        else resolve();
      });
      child.stdin?.end(program);
    });
}
