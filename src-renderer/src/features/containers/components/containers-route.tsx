import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { ContainerDetails } from './container-details';
import { ContainersView } from './containers-view';
import { StackDetails } from './stack-details';

/**
 * `#/containers` lists; `#/containers/new/<image>[/init]` lists with the run dialog open for that image (and --init ticked)
 * (how other views offer "Run" without importing this feature); `#/containers/<id>[/<tab>]` shows one container;
 * `#/containers/stack/<project>[/logs]` one compose stack (a container id is hex, so never `stack`).
 */
export function ContainersRoute(): ReactNode {
  const [, id, arg, flag] = useHashSegments();
  if (id === 'stack' && arg) return <StackDetails key={arg} project={arg} initialTab={flag} />;
  if (id === 'new') return <ContainersView key={`new:${arg ?? ''}:${flag ?? ''}`} runImage={arg ?? ''} runInit={flag === 'init'} />;
  return id ? <ContainerDetails key={id} containerId={id} initialTab={arg} /> : <ContainersView />;
}
