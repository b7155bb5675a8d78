import type { ImageRuntimeConfig } from '../images/image-config';
import type { ContainerImage, ContainerImageSource } from './container-ports';
import type { HealthConfig } from '../../store/containers/container-record';

/** The image config's Healthcheck (HEALTHCHECK), as stored verbatim: only well-formed fields are taken. */
function healthOf(raw: unknown): { healthcheck?: HealthConfig } {
  if (typeof raw !== 'object' || raw === null) return {};
  const h = raw as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const test = Array.isArray(h.Test) ? h.Test.filter((x): x is string => typeof x === 'string') : [];
  return { healthcheck: { test, interval: num(h.Interval), timeout: num(h.Timeout), startPeriod: num(h.StartPeriod), startInterval: num(h.StartInterval), retries: num(h.Retries) } };
}

/** The slice of the image service the container engine reads (type-only import: no runtime cycle). */
export interface ImageLookup {
  /** Full/short ID, `name[:tag]`, `name@digest`; NotFound "No such image: …" when absent. */
  resolve(name: string): { id: string; layers: { chainId: string }[] };
  configOf(id: string): { config?: ImageRuntimeConfig };
}

/** The image service as the container engine's `ContainerImageSource`. */
export function imageSourceFrom(images: ImageLookup): ContainerImageSource {
  return {
    resolve: async (ref: string): Promise<ContainerImage> => {
      const img = images.resolve(ref);
      const c = images.configOf(img.id).config ?? {};
      return {
        id: img.id,
        topLayer: img.layers.at(-1)?.chainId ?? null,
        config: {
          cmd: c.Cmd ?? null,
          entrypoint: c.Entrypoint ?? null,
          env: c.Env ?? [],
          workingDir: c.WorkingDir ?? '',
          user: c.User ?? '',
          labels: c.Labels ?? {},
          ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
          volumes: c.Volumes ?? null,
          exposedPorts: c.ExposedPorts ?? null,
          onBuild: c.OnBuild ?? null,
          ...healthOf(c.Healthcheck),
        },
      };
    },
  };
}
