/**
 * Block I/O limits (--blkio-weight, --blkio-weight-device, --device-{read,write}-{bps,iops}).
 * Devices are given by path and written to the cgroup by number, read from the host when the
 * limits are applied (moby getBlkioThrottleDevices), so a renumbered disk gets its current numbers.
 */
import { stat } from 'node:fs/promises';
import { errnoCode, invalidArgument } from '../../lib/errors';

export interface BlkioDeviceValue {
  major: number;
  minor: number;
  value: number;
}

/** What the cgroup managers write (v1 blkio.*, v2 io.max). */
export interface BlkioLimits {
  weight?: number;
  weightDevices: BlkioDeviceValue[];
  readBps: BlkioDeviceValue[];
  writeBps: BlkioDeviceValue[];
  readIops: BlkioDeviceValue[];
  writeIops: BlkioDeviceValue[];
}

/** The same, with device paths (ResourceLimits). */
export interface BlkioRequest {
  weight?: number;
  weightDevices?: Array<{ path: string; value: number }>;
  readBps?: Array<{ path: string; value: number }>;
  writeBps?: Array<{ path: string; value: number }>;
  readIops?: Array<{ path: string; value: number }>;
  writeIops?: Array<{ path: string; value: number }>;
}

const major = (rdev: number): number => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number): number => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

async function numbersOf(list: Array<{ path: string; value: number }> | undefined): Promise<BlkioDeviceValue[]> {
  const out: BlkioDeviceValue[] = [];
  for (const d of list ?? []) {
    try {
      const st = await stat(d.path);
      out.push({ major: major(st.rdev), minor: minor(st.rdev), value: d.value });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw invalidArgument('BLKIO_DEVICE_MISSING', `stat ${d.path}: no such file or directory`);
      throw err;
    }
  }
  return out;
}

export async function resolveBlkio(r: BlkioRequest | undefined): Promise<BlkioLimits | undefined> {
  if (r === undefined) return undefined;
  return {
    ...(r.weight !== undefined ? { weight: r.weight } : {}),
    weightDevices: await numbersOf(r.weightDevices),
    readBps: await numbersOf(r.readBps),
    writeBps: await numbersOf(r.writeBps),
    readIops: await numbersOf(r.readIops),
    writeIops: await numbersOf(r.writeIops),
  };
}

/** Which of them the kernel offers (v1: the blkio files; v2: io.max, and io.weight with a weight-capable scheduler). */
export interface BlkioFeatures {
  weight: boolean;
  weightDevice: boolean;
  readBps: boolean;
  writeBps: boolean;
  readIops: boolean;
  writeIops: boolean;
}
