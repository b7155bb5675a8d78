import { spawn, spawnSync } from 'node:child_process';
import { Transform } from 'node:stream';
import { Decompress } from 'fzstd';
import { unsupportedError } from '../../registry/errors';

/**
 * zstd layer decompression. Node 20's zlib has no zstd, so two decoders exist, chosen by
 * measurement (122 MB Debian base tar, this machine): the `zstd` tool in a child process costs
 * ~0.16 s of CPU and runs beside the layer's thread; fzstd in-process costs ~1.0 s (zlib's gunzip
 * of the same tar as gzip: ~0.5 s). The tool is used when it is installed, fzstd otherwise, so a
 * zstd layer never needs anything outside berthd. (zstd-napi, native, measured ~0.25 s, but a
 * .node addon cannot go into berthd's single-file bundle.)
 */
export function zstdDecoder(preferTool = zstdToolAvailable()): Transform {
  return preferTool ? zstdToolDecoder() : zstdInProcessDecoder();
}

let toolAvailable: boolean | undefined;
/** Whether `zstd` runs here (looked up once per process). */
export function zstdToolAvailable(): boolean {
  toolAvailable ??= spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  return toolAvailable;
}

/** fzstd as a stream: compressed bytes in, decompressed bytes out; a truncated or corrupt frame is an error. */
export function zstdInProcessDecoder(): Transform {
  const out = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      try {
        decoder.push(chunk);
        cb();
      } catch (err) {
        cb(zstdError(err));
      }
    },
    flush(cb) {
      try {
        decoder.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(zstdError(err));
      }
    },
  });
  const decoder = new Decompress((data) => {
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  return out;
}

function zstdError(err: unknown): Error {
  // Worded like zlib's errors, which the pipeline reports as a layer verification failure.
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`invalid zstd data: ${msg}`);
}

function zstdToolDecoder(): Transform {
  const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const input = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!child.stdin.write(chunk)) child.stdin.once('drain', () => cb());
      else cb();
    },
    flush(cb) {
      child.stdin.end();
      child.once('close', (code) => cb(code === 0 ? undefined : new Error(`invalid zstd data: ${stderr.trim() || `zstd exited ${code}`}`)));
    },
    destroy(err, cb) {
      child.kill();
      cb(err);
    },
  });
  child.stdin.on('error', () => undefined);
  child.on('error', (err) => input.destroy(unsupportedError('ZSTD_UNAVAILABLE', `zstd-compressed layer needs the zstd tool: ${err.message}`)));
  child.stdout.on('data', (d: Buffer) => input.push(d));
  return input;
}
