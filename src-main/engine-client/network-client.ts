import type { NetworkDto } from '../../src-shared/docker-api/networks';
import type { EngineClient } from './engine-client';

const enc = encodeURIComponent;

/** The network endpoints the app uses (list and remove); they work on dockerd and berthd alike. */
export const networkClient = {
  /** `GET /networks`, e.g. `{ label: ['com.docker.compose.project=shop'] }`. */
  list(client: EngineClient, filters?: Record<string, string[]>): Promise<NetworkDto[]> {
    return client.http.json({ method: 'GET', path: '/networks', query: { filters: filters ? JSON.stringify(filters) : undefined }, subject: 'network' });
  },

  async remove(client: EngineClient, idOrName: string): Promise<void> {
    await client.http.call({ method: 'DELETE', path: `/networks/${enc(idOrName)}`, subject: 'network' });
  },
};
