import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { ContainerDetails } from './container-details';
import { ContainersView } from './containers-view';

/**
 * `#/containers` lists; `#/containers/new/<image>` lists with the run dialog open for that image
 * (how other views offer "Run" without importing this feature); `#/containers/<id>[/<tab>]` shows one container.
 */
export function ContainersRoute(): ReactNode {
  const [, id, arg] = useHashSegments();
  if (id === 'new') return <ContainersView key={`new:${arg ?? ''}`} runImage={arg ?? ''} />;
  return id ? <ContainerDetails key={id} containerId={id} initialTab={arg} /> : <ContainersView />;
}
