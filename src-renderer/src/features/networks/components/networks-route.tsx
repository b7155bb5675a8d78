import type { ReactNode } from 'react';
import { useHashSegments } from '../../../lib/navigation';
import { NetworkDetails } from './network-details';
import { NetworksView } from './networks-view';

/** `#/networks` lists; `#/networks/<name>` shows one network. */
export function NetworksRoute(): ReactNode {
  const [, name] = useHashSegments();
  return name ? <NetworkDetails key={name} name={name} /> : <NetworksView />;
}
