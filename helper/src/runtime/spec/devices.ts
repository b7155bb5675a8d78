/**
 * Host devices given to a container (HostConfig.Devices, `--device /dev/x[:/dev/y[:rwm]]`), as
 * moby's getDevicesFromPath: the node on the host is read at start (a symlink followed, a
 * directory walked for the devices under it), recreated in the container's /dev with the host's
 * type, numbers, mode and owner, and allowed in the device cgroup with the given permissions.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, invalidArgument } from '../../lib/errors';
import type { DeviceRule } from '../cgroups/device-rules';

/** A device mapping as posted (PathInContainer defaults to PathOnHost, permissions to rwm). */
export interface DeviceRequest {
  pathOnHost: string;
  pathInContainer: string;
  permissions: string;
}

/** A node to create in the container. */
export interface DeviceNode {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** Permission bits of the host node. */
  fileMode: number;
  uid: number;
  gid: number;
  permissions: string;
}

/** glibc's gnu_dev_major/minor of a dev_t. */
const major = (rdev: number): number => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number): number => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

const gatherError = (path: string, detail: string): Error =>
  invalidArgument('DEVICE_UNAVAILABLE', `error gathering device information while adding custom device ${JSON.stringify(path)}: ${detail}`);

/** The checks dockerd's CLI makes on a mapping (the API does not), done at create for every client. */
export function validateDeviceRequest(d: DeviceRequest): void {
  if (!d.pathOnHost.startsWith('/')) throw invalidArgument('INVALID_DEVICE', `HostConfig.Devices: ${d.pathOnHost} is not an absolute path`);
  if (d.pathInContainer !== '' && !d.pathInContainer.startsWith('/')) throw invalidArgument('INVALID_DEVICE', `HostConfig.Devices: ${d.pathInContainer} is not an absolute path`);
  if (d.permissions !== '' && (!/^[rwm]{1,3}$/.test(d.permissions) || new Set(d.permissions).size !== d.permissions.length)) {
    throw invalidArgument('INVALID_DEVICE', `HostConfig.Devices: bad mode specified: ${d.permissions}`);
  }
}

async function nodeOf(hostPath: string, path: string, permissions: string): Promise<DeviceNode | undefined> {
  const st = await stat(hostPath);
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (type === undefined) return undefined;
  return { path, type, major: major(st.rdev), minor: minor(st.rdev), fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid, permissions };
}

/** The nodes of the requested devices, read from the host now (their numbers may change across boots). */
export async function resolveDevices(requests: readonly DeviceRequest[]): Promise<DeviceNode[]> {
  const out: DeviceNode[] = [];
  for (const d of requests) {
    const permissions = d.permissions === '' ? 'rwm' : d.permissions;
    const dest = d.pathInContainer === '' ? d.pathOnHost : d.pathInContainer;
    let resolved: string;
    try {
      resolved = await realpath(d.pathOnHost);
      const st = await stat(resolved);
      if (st.isDirectory()) {
        // moby: every device below the directory, at the same place below the destination.
        for (const entry of await readdir(resolved, { recursive: true })) {
          const node = await nodeOf(join(resolved, entry), join(dest, entry), permissions).catch(() => undefined);
          if (node) out.push(node);
        }
        continue;
      }
      const node = await nodeOf(resolved, dest, permissions);
      if (!node) throw gatherError(d.pathOnHost, 'not a device node');
      out.push(node);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw gatherError(d.pathOnHost, 'no such file or directory');
      throw err;
    }
  }
  return out;
}

/** The device-cgroup allow rule of a node. */
export const deviceRuleOf = (n: DeviceNode): DeviceRule => ({ type: n.type, major: n.major, minor: n.minor, access: n.permissions });
