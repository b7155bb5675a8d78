import {
  BERTH_API_PREFIX,
  ConfigUpdateRequestSchema,
} from '../../../../src-shared/docker-api/berth-config';
import type { ConfigService } from '../../engine/config/config-service';
import { toConfigValidateResponse, toMirrorsConfigResponse, toMirrorsHealthResponse } from '../dto/berth-config-dto';
import { readJson, sendJson } from '../http';
import type { Route } from '../router';

/** The config service's surface as the routes use it (a fake in tests). */
export type BerthConfigBackend = Pick<ConfigService, 'snapshot' | 'replace' | 'validate' | 'mirrorHealth'>;

/**
 * Berth's config extension (not Docker Engine API): the mirrors settings screen reads and writes
 * daemon.json through these, and checks its mirrors.
 */
export function berthConfigRoutes(config: BerthConfigBackend): Route[] {
  return [
    {
      method: 'GET',
      path: `${BERTH_API_PREFIX}/config/mirrors`,
      handler: ({ res }) => sendJson(res, 200, toMirrorsConfigResponse(config.snapshot())),
    },
    {
      method: 'PUT',
      path: `${BERTH_API_PREFIX}/config/mirrors`,
      handler: async ({ req, res }) => {
        const body = await readJson(req, ConfigUpdateRequestSchema);
        sendJson(res, 200, toMirrorsConfigResponse(await config.replace(body)));
      },
    },
    {
      method: 'POST',
      path: `${BERTH_API_PREFIX}/config/validate`,
      handler: async ({ req, res }) => {
        const body = await readJson(req, ConfigUpdateRequestSchema);
        sendJson(res, 200, toConfigValidateResponse(config.validate(body)));
      },
    },
    {
      method: 'GET',
      path: `${BERTH_API_PREFIX}/mirrors/health`,
      handler: async ({ res }) => sendJson(res, 200, toMirrorsHealthResponse(await config.mirrorHealth(), new Date())),
    },
  ];
}
