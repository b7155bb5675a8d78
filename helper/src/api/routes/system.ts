import type { Route, RequestContext } from '../router';
import { sendJson } from '../http';
import type { SystemService } from '../../engine/system/system-service';
import { toInfoResponse, toRegistryConfigDto, toVersionResponse } from '../dto/system-dto';
import type { DaemonConfigSource } from '../../config/daemon-config';

/** Headers the docker CLI reads from `_ping` to negotiate (moby client/ping.go). */
function pingHeaders(apiVersion: string): Record<string, string> {
  return {
    'Api-Version': apiVersion,
    Ostype: 'linux',
    'Docker-Experimental': 'false',
    Swarm: 'inactive',
    'Builder-Version': '1',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  };
}

export function systemRoutes(system: SystemService, config?: DaemonConfigSource): Route[] {
  const ping = ({ req, res }: RequestContext): void => {
    const headers = { ...pingHeaders(system.version().apiVersion), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' };
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    { method: 'GET', path: '/version', handler: ({ res }) => sendJson(res, 200, toVersionResponse(system.version())) },
    {
      method: 'GET',
      path: '/info',
      handler: async ({ res }) => {
        const [host, containers, images] = await Promise.all([system.host(), system.containerCounts(), system.imageCount()]);
        const extra = {
          ...system.runtimeFacts(),
          SecurityOptions: system.securityOptions(),
          ...(config ? { RegistryConfig: toRegistryConfigDto(config.current()), LoggingDriver: config.current().logDriver ?? 'json-file' } : {}),
        };
        sendJson(res, 200, toInfoResponse(system.version(), host, containers, images, extra));
      },
    },
  ];
}
