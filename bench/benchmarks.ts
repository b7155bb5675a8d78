/**
 * The registered benchmarks, run in this order by bench/run.ts. Add yours here: one module per
 * benchmark under bench/cases/, exporting a `Benchmark` (see bench/framework.ts).
 *
 * Still to be added by their owners (design.md, "Performance targets"):
 * `docker run --rm --network none busybox true` latency,
 * keystroke latency and container list render time.
 */
import type { Benchmark } from './framework';
import { idleRssBenchmark } from './cases/idle-rss';
import { pullBenchmark, pullDebianBenchmark, pullSmallFilesBenchmark } from './cases/pull';
import { runLatencyBenchmark } from './cases/run-latency';
import { monitorRssBenchmark } from './cases/monitor-rss';
import { keystrokeLocalBenchmark, keystrokeSshBenchmark } from './cases/terminal-keystroke';
import { terminalThroughputBenchmark } from './cases/terminal-throughput';
import { containerListRenderBenchmark } from './cases/container-list-render';
import { browserKeystrokeLocalBenchmark, browserKeystrokeSshBenchmark } from './cases/browser-keystroke';
import { cpIntoBenchmark, cpOutOfBenchmark, loadBenchmark, saveBenchmark } from './cases/container-data';
import { buildColdBenchmark, buildWarmBenchmark } from './cases/build';
import { bridgeRunBenchmark, portConnectBenchmark, portThroughputBenchmark } from './cases/network';

export const benchmarks: Benchmark[] = [
  // Idle memory first: before anything has been pulled or run.
  idleRssBenchmark,
  pullBenchmark,
  pullDebianBenchmark,
  pullSmallFilesBenchmark,
  runLatencyBenchmark,
  monitorRssBenchmark,
  keystrokeLocalBenchmark,
  keystrokeSshBenchmark,
  terminalThroughputBenchmark,
  containerListRenderBenchmark,
  browserKeystrokeLocalBenchmark,
  browserKeystrokeSshBenchmark,
  cpIntoBenchmark,
  cpOutOfBenchmark,
  saveBenchmark,
  loadBenchmark,
  buildColdBenchmark,
  buildWarmBenchmark,
  bridgeRunBenchmark,
  portThroughputBenchmark,
  portConnectBenchmark,
];
