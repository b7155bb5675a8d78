import { describe, expect, it } from 'vitest';
import { dependenciesOf, startLayers } from './stack-order';

const m = (service: string, dependsOn?: string): { service: string; labels: Record<string, string> } => ({ service, labels: dependsOn ? { 'com.docker.compose.depends_on': dependsOn } : {} });
const names = (layers: { service: string }[][]) => layers.map((l) => l.map((x) => x.service).sort());

describe('stack order', () => {
  it('reads compose v2 depends_on labels', () => {
    expect(dependenciesOf({ 'com.docker.compose.depends_on': 'db:service_healthy:false,cache:service_started:true' })).toEqual(['db', 'cache']);
    expect(dependenciesOf({})).toEqual([]);
  });

  it('starts dependencies before their dependants, independent services together', () => {
    expect(names(startLayers([m('web', 'api:service_started:false'), m('api', 'db:service_healthy:false'), m('db'), m('cache')]))).toEqual([['cache', 'db'], ['api'], ['web']]);
  });

  it('ignores dependencies outside the stack and still orders a cycle (last, together)', () => {
    expect(names(startLayers([m('web', 'gone:service_started:false')]))).toEqual([['web']]);
    expect(names(startLayers([m('a', 'b:x:false'), m('b', 'a:x:false'), m('c')]))).toEqual([['c'], ['a', 'b']]);
  });

  it('waits for every replica of a dependency', () => {
    const layers = startLayers([m('db'), m('db'), m('web', 'db:service_started:false')]);
    expect(names(layers)).toEqual([['db', 'db'], ['web']]);
  });
});
