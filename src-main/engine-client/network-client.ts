import type { EngineClient } from './engine-client';
import type { BerthPortCheckResponse, NetworkCreateRequest, NetworkCreateResponse, NetworkDto, NetworkPruneResponse } from '../../src-shared/docker-api/networks';
import { AppError } from '../lib/app-error';

const enc = encodeURIComponent;

/** The Engine API's `/networks` calls (dockerd and berthd alike), and Berth's port check for the run dialog. */
export const networkClient = {
  /** `GET /networks`, e.g. `{ label: ['com.docker.compose.project=shop'] }`. */
  list(client: EngineClient, filters?: Record<string, string[]>): Promise<NetworkDto[]> {
    return client.http.json({ method: 'GET', path: '/networks', query: { filters: filters ? JSON.stringify(filters) : undefined }, subject: 'network' });
  },

  /** Inspect: unlike the list, it names the attached containers and their addresses. */
  inspect(client: EngineClient, id: string): Promise<NetworkDto> {
    return client.http.json({ method: 'GET', path: `/networks/${enc(id)}`, subject: 'network' });
  },

  create(client: EngineClient, body: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return client.http.json({ method: 'POST', path: '/networks/create', body, subject: 'network' });
  },

  async remove(client: EngineClient, idOrName: string): Promise<void> {
    await client.http.call({ method: 'DELETE', path: `/networks/${enc(idOrName)}`, subject: 'network' });
  },

  prune(client: EngineClient): Promise<NetworkPruneResponse> {
    return client.http.json({ method: 'POST', path: '/networks/prune', subject: 'network' });
  },

  /** null when the engine is not Berth (the check is Berth's own endpoint). */
  async checkPort(client: EngineClient, port: number, proto: 'tcp' | 'udp', ip: string): Promise<BerthPortCheckResponse | null> {
    try {
      return await client.http.json<BerthPortCheckResponse>({ method: 'GET', path: '/berth/v1/ports/check', query: { port, proto, ip }, subject: 'network' });
    } catch (err) {
      if (err instanceof AppError && err.kind === 'NotFound') return null;
      throw err;
    }
  },
};
