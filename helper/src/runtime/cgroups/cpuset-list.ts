/**
 * Kernel CPU / memory-node lists (`0-2,4`), as moby's parsers.ParseUintList reads them, to check
 * `--cpuset-cpus` / `--cpuset-mems` against what the host's cpuset offers (sysinfo.IsCpusetCpusAvailable).
 */

/** The set a list names; undefined when the text is not a list (`0-a`, `3-1`, `1,`). */
export function parseCpuList(text: string): Set<number> | undefined {
  const out = new Set<number>();
  if (text === '') return out;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}

/** 'invalid' (not a list), 'unavailable' (names a CPU or node the host lacks) or 'ok'. */
export function checkCpuList(requested: string, available: string): 'ok' | 'invalid' | 'unavailable' {
  const want = parseCpuList(requested);
  if (want === undefined) return 'invalid';
  const have = parseCpuList(available.trim()) ?? new Set<number>();
  for (const n of want) if (!have.has(n)) return 'unavailable';
  return 'ok';
}
