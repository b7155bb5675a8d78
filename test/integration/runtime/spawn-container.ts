// Stand-in for a berthd that creates and starts one container, prints "started <pid>", and then
// idles until it is SIGKILLed by the test: the container must outlive it.
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import type { ContainerSpec } from '../../../helper/src/runtime/runtime';
import { createCgroupManager } from '../../../helper/src/runtime/cgroups/cgroup-factory';
import { LinuxRuntime } from '../../../helper/src/runtime/shim/linux-runtime';
import { SpawnShimLauncher } from '../../../helper/src/runtime/shim/shim-launcher';

const [shim, init, cgroupParent, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson!) as ContainerSpec;
// berth-devfilter sits beside the shim (a cgroup v2 host needs it).
const cgroups = await createCgroupManager({ parent: cgroupParent, deviceFilterBinary: join(dirname(shim!), 'berth-devfilter') });
const runtime = new LinuxRuntime({ launcher: new SpawnShimLauncher(shim!), initBinary: init!, cgroups, log: pino({ level: 'silent' }) });
const c = await runtime.create(spec);
const s = await c.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
s.resume();
await c.start();
process.stdout.write(`started ${c.pid}\n`);
setInterval(() => undefined, 1000);
