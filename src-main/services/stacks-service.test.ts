import { afterEach, describe, expect, it } from 'vitest';
import { UnixSocketConnection } from '../connections/unix-socket-connection';
import { EngineClient } from '../engine-client/engine-client';
import { json, startFakeEngine, type FakeEngine, type FakeRoute } from '../engine-client/fake-engine';
import { StacksService } from './stacks-service';

const labels = (service: string) => ({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': service });
const MEMBERS = [
  { Id: 'aaa', Names: ['/shop-web-1'], State: 'running', Labels: labels('web') },
  { Id: 'bbb', Names: ['/shop-db-1'], State: 'exited', Labels: labels('db') },
];
const ok: FakeRoute = (_q, res) => void res.writeHead(204).end();

describe('StacksService', () => {
  let engine: FakeEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });
  const service = (e: FakeEngine) => new StacksService({ client: () => new EngineClient(new UnixSocketConnection(e.socket)) });

  it('asks the engine for the members by the project label and starts only those not running', async () => {
    engine = await startFakeEngine({ 'GET /containers/json': json(200, MEMBERS), 'POST /containers/bbb/start': ok });
    const r = await service(engine).start('local', 'shop');
    expect(r).toEqual({ containers: ['shop-db-1'], networksRemoved: [], failures: [] });
    const list = engine.requests.find((q) => q.startsWith('GET /containers/json')) ?? '';
    expect(JSON.parse(new URLSearchParams(list.split('?')[1]).get('filters') ?? '')).toEqual({ label: ['com.docker.compose.project=shop'] });
    expect(engine.requests.filter((q) => q.includes('/start'))).toEqual(['POST /containers/bbb/start']);
  });

  it('reports a member that fails without stopping the others', async () => {
    engine = await startFakeEngine({ 'GET /containers/json': json(200, MEMBERS), 'POST /containers/aaa/restart': json(500, { message: 'boom' }), 'POST /containers/bbb/restart': ok });
    const r = await service(engine).restart('local', 'shop');
    expect(r.failures).toEqual([{ name: 'shop-web-1', message: 'boom' }]);
    expect(engine.requests).toContain('POST /containers/bbb/restart');
  });

  it('removes like docker-compose down: stops, removes, then only the project networks named <project>_*', async () => {
    const networks = [
      { Id: 'n1', Name: 'shop_default', Labels: labels('') },
      { Id: 'n2', Name: 'shared-ext', Labels: labels('') },
    ];
    engine = await startFakeEngine({
      'GET /containers/json': json(200, MEMBERS),
      'POST /containers/aaa/stop': ok,
      'DELETE /containers/aaa': ok,
      'DELETE /containers/bbb': ok,
      'GET /networks': json(200, networks),
      'DELETE /networks/n1': ok,
    });
    const r = await service(engine).remove('local', 'shop');
    expect(r).toEqual({ containers: ['shop-web-1', 'shop-db-1'], networksRemoved: ['shop_default'], failures: [] });
    const writes = engine.requests.filter((q) => !q.startsWith('GET'));
    expect([...writes].sort()).toEqual(['DELETE /containers/aaa?force=1', 'DELETE /containers/bbb?force=1', 'DELETE /networks/n1', 'POST /containers/aaa/stop']);
    expect(writes.indexOf('POST /containers/aaa/stop')).toBeLessThan(writes.indexOf('DELETE /containers/aaa?force=1'));
    expect(writes.at(-1)).toBe('DELETE /networks/n1');
    expect(engine.requests).not.toContain('DELETE /networks/n2');
  });

  it('starts dependencies first and stops them last (compose v2 depends_on label)', async () => {
    const web = { ...MEMBERS[0], State: 'exited', Labels: { ...labels('web'), 'com.docker.compose.depends_on': 'db:service_healthy:false' } };
    const db = { ...MEMBERS[1], State: 'exited' };
    // Listed dependant first, so only the ordering can put db first.
    engine = await startFakeEngine({ 'GET /containers/json': json(200, [web, db]), 'POST /containers/aaa/start': ok, 'POST /containers/bbb/start': ok });
    await service(engine).start('local', 'shop');
    expect(engine.requests.filter((q) => q.endsWith('/start'))).toEqual(['POST /containers/bbb/start', 'POST /containers/aaa/start']);
    engine.routes.set('GET /containers/json', json(200, [{ ...web, State: 'running' }, { ...db, State: 'running' }]));
    engine.routes.set('POST /containers/aaa/stop', ok);
    engine.routes.set('POST /containers/bbb/stop', ok);
    await service(engine).stop('local', 'shop');
    expect(engine.requests.filter((q) => q.includes('/stop'))).toEqual(['POST /containers/aaa/stop', 'POST /containers/bbb/stop']);
  });

  it('says NotFound for a project without containers', async () => {
    engine = await startFakeEngine({ 'GET /containers/json': json(200, []) });
    await expect(service(engine).stop('local', 'gone')).rejects.toMatchObject({ kind: 'NotFound', code: 'STACK_NOT_FOUND' });
  });
});
