import { z } from 'zod';

const schema = z.object({
  /** Socket of the local berthd (or any Engine API daemon). */
  localSocket: z.string().min(1).default('/run/berth/berthd.sock'),
  /** Where the app keeps its settings (hosts, accepted host keys). */
  stateDir: z.string().min(1).default(`${process.env.HOME ?? '/root'}/.config/berth`),
  webPort: z.coerce.number().int().min(0).max(65535).default(0),
  webToken: z.string().min(16).optional(),
  /** Built renderer directory served in web mode. */
  rendererDir: z.string().min(1),
  /** The user's OpenSSH known_hosts, read (never written) besides Berth's own file in stateDir. */
  userKnownHosts: z.string().min(1).default(`${process.env.HOME ?? '/root'}/.ssh/known_hosts`),
  /** SSH agent socket for hosts that use the agent. */
  agentSocket: z.string().min(1).optional(),
  /** berthd bundles (and their install.sh) for provisioning hosts and machines: `npm run build` writes out/bundle. */
  bundleDir: z.string().min(1),
  /** Node.js >= 20 put into machine guests (a Linux x86_64 binary). */
  guestNode: z.string().min(1).optional(),
  /** A prebuilt machine guest image (release artefact, with its .sha256) instead of building one here. */
  machineImage: z.string().min(1).optional(),
  /** Folder shared into new machines by default. */
  homeDir: z.string().min(1).default(process.env.HOME ?? '/root'),
  /** The docker CLI's config dir, where the app writes host contexts. */
  dockerConfigDir: z.string().min(1).default(`${process.env.HOME ?? '/root'}/.docker`),
});

export type AppConfig = z.infer<typeof schema>;

/** Parsed once in each composition root; nothing else in src-main reads process.env. */
export function loadAppConfig(env: NodeJS.ProcessEnv, defaults: { rendererDir: string; bundleDir: string }): AppConfig {
  return schema.parse({
    localSocket: env.BERTH_SOCKET,
    stateDir: env.BERTH_STATE_DIR,
    webPort: env.BERTH_WEB_PORT,
    webToken: env.BERTH_WEB_TOKEN,
    rendererDir: env.BERTH_RENDERER_DIR ?? defaults.rendererDir,
    userKnownHosts: env.BERTH_USER_KNOWN_HOSTS ?? (env.HOME ? `${env.HOME}/.ssh/known_hosts` : undefined),
    agentSocket: env.SSH_AUTH_SOCK || undefined,
    bundleDir: env.BERTH_BUNDLE_DIR ?? defaults.bundleDir,
    guestNode: env.BERTH_GUEST_NODE,
    machineImage: env.BERTH_MACHINE_IMAGE,
    homeDir: env.HOME,
    dockerConfigDir: env.DOCKER_CONFIG,
  });
}
