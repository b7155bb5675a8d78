import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidArgument, notFound } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { API_VERSION, MIN_API_VERSION, compareApiVersions } from '../lib/version';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

interface BaseContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for in the path, or the server's own when unversioned. */
  apiVersion: string;
  log: Logger;
}

export interface RequestContext extends BaseContext {
  res: ServerResponse;
}

/** A hijacked connection: the handler owns the raw socket and writes the 101 itself. */
export interface UpgradeContext extends BaseContext {
  socket: Duplex;
  /** Bytes the parser read past the headers; on Node 20 these include any request body. */
  head: Buffer;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;
export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void> | void;

/**
 * One row of the API surface. Path patterns use `:name` for one segment and `:name*` for a
 * greedy match (image names contain slashes). A route with `upgrade` also serves the hijack
 * form of the same request (`Connection: Upgrade`).
 */
export interface Route {
  method: HttpMethod;
  path: string;
  handler: Handler;
  upgrade?: UpgradeHandler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
  apiVersion: string;
  query: URLSearchParams;
}

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

export class Router {
  private readonly routes: CompiledRoute[] = [];

  constructor(tables: Route[][]) {
    for (const table of tables) for (const route of table) this.routes.push(compile(route));
  }

  /** Throws NotFound for unknown paths and InvalidArgument for unsupported API versions. */
  match(method: string, rawUrl: string): RouteMatch {
    // Not `new URL(rawUrl, base)`: it throws on `//` and reads `//host/x` as a host. The path is
    // everything before `?`, matched raw; each parameter is then decoded on its own.
    const q = rawUrl.indexOf('?');
    let path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
    if (!path.startsWith('/')) throw invalidArgument('INVALID_PATH', `invalid request path: ${JSON.stringify(rawUrl.slice(0, 200))}`);
    let apiVersion = API_VERSION;
    const versioned = VERSION_PREFIX.exec(path);
    if (versioned) {
      apiVersion = versioned[1] ?? API_VERSION;
      path = versioned[2] ?? '/';
      if (compareApiVersions(apiVersion, API_VERSION) > 0) {
        throw invalidArgument('API_VERSION_TOO_NEW', `client version ${apiVersion} is too new. Maximum supported API version is ${API_VERSION}`);
      }
      if (compareApiVersions(apiVersion, MIN_API_VERSION) < 0) {
        throw invalidArgument('API_VERSION_TOO_OLD', `client version ${apiVersion} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
    }
    const wanted = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    for (const m of wanted) {
      for (const route of this.routes) {
        if (route.method !== m) continue;
        const found = route.regex.exec(path);
        if (!found) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodeParam(found[i + 1] ?? '');
        });
        return { route, params, apiVersion, query };
      }
    }
    throw notFound('PAGE_NOT_FOUND', 'page not found');
  }
}

/** A malformed percent-escape (`%E0%A4%A`) is the client's error: 400, as dockerd answers. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidArgument('INVALID_PATH_ESCAPE', `invalid URL escape in request path: ${JSON.stringify(raw.slice(0, 200))}`);
  }
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const greedy = seg.endsWith('*');
      names.push(greedy ? seg.slice(1, -1) : seg.slice(1));
      return greedy ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
}
