import { Network } from 'lucide-react';
import { NetworksRoute } from '../../../features/networks/components/networks-route';
import type { ViewDef } from '../view-def';

export default { id: 'networks', label: 'Networks', icon: Network, group: 'main', order: 45, Component: NetworksRoute } satisfies ViewDef;
