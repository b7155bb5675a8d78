import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { invalidArgument } from '../lib/errors';

const MAX_JSON_BODY = 8 * 1024 * 1024;

/** Reads a whole request body, refusing bodies over `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw invalidArgument('BODY_TOO_LARGE', `request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON body against a schema. An empty body is `{}` (the CLI omits bodies it considers
 * empty); malformed JSON and schema violations are 400 with the offending path named.
 */
export function parseJson<S extends z.ZodType>(raw: Buffer | string, schema: S): z.infer<S> {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw invalidArgument('INVALID_JSON', `invalid JSON in request body: ${(err as Error).message}`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw invalidArgument('INVALID_REQUEST', `invalid request: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data as z.infer<S>;
}

export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const raw = await readBody(req);
  const type = req.headers['content-type'];
  if (raw.length > 0 && type !== undefined && !type.startsWith('application/json') && !type.startsWith('text/plain')) {
    throw invalidArgument('INVALID_CONTENT_TYPE', `unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  return parseJson(raw, schema);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status).end();
}

/** Docker's boolean query convention: "1", "true", "True" are true; absent, "0", "false" are false. */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const v = query.get(name);
  if (v === null || v === '') return fallback;
  return !['0', 'false', 'False', 'FALSE', 'no'].includes(v);
}

export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidArgument('INVALID_PARAMETER', `invalid value for ${name}: ${v}`);
  return n;
}

/** Docker's `filters` query parameter: JSON map of name -> [values] (or legacy name -> {value: true}). */
export function queryFilters(query: URLSearchParams): Map<string, string[]> {
  const raw = query.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidArgument('INVALID_FILTER', `invalid filter: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidArgument('INVALID_FILTER', `invalid filter: ${raw}`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (typeof v === 'object' && v !== null) out.set(k, Object.keys(v));
    else throw invalidArgument('INVALID_FILTER', `invalid filter '${k}'`);
  }
  return out;
}
