import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { ContainerDetails } from './container-details';
import { ContainersView } from './containers-view';

/** `#/containers` lists; `#/containers/<id>[/<tab>]` shows one container. */
export function ContainersRoute(): ReactNode {
  const [, id, tab] = useHashSegments();
  return id ? <ContainerDetails key={id} containerId={id} initialTab={tab} /> : <ContainersView />;
}
