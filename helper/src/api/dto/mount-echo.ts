/**
 * HostConfig.Mounts as dockerd echoes it in inspect: the posted entries decoded into moby's
 * `mount.Mount` structs and encoded again, where every field is `omitempty`. So null, false, "",
 * 0, empty lists and empty maps disappear, while an options struct that was posted (even `{}`)
 * stays, being a pointer. docker-compose posts `"ReadOnly": null` and the like.
 */

/** Maps (Go `map[string]string`), dropped when empty; every other object is a struct pointer. */
const MAP_KEYS = new Set(['Labels', 'Options']);

function omitEmpty(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined || x === false || x === '' || x === 0) continue;
    if (Array.isArray(x)) {
      if (x.length > 0) out[k] = x;
      continue;
    }
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (MAP_KEYS.has(k)) {
        if (Object.keys(o).length > 0) out[k] = o;
      } else {
        out[k] = omitEmpty(o);
      }
      continue;
    }
    out[k] = x;
  }
  return out;
}

export function mountsEcho(posted: Record<string, unknown>[]): Record<string, unknown>[] {
  return posted.map(omitEmpty);
}
