import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { ContainerDetails } from './container-details';
import { ContainersView } from './containers-view';

/**
 * `#/containers` lists; `#/containers/new/<image>[/init]` lists with the run dialog open for that image (and --init ticked)
 * (how other views offer "Run" without importing this feature); `#/containers/<id>[/<tab>]` shows one container.
 */
export function ContainersRoute(): ReactNode {
  const [, id, arg, flag] = useHashSegments();
  if (id === 'new') return <ContainersView key={`new:${arg ?? ''}:${flag ?? ''}`} runImage={arg ?? ''} runInit={flag === 'init'} />;
  return id ? <ContainerDetails key={id} containerId={id} initialTab={arg} /> : <ContainersView />;
}
