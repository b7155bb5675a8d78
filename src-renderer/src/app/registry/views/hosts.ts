import { Server } from 'lucide-react';
import { HostsView } from '../../../features/hosts/components/hosts-view';
import type { ViewDef } from '../view-def';

export default { id: 'hosts', label: 'Hosts', icon: Server, group: 'config', order: 90, Component: HostsView } satisfies ViewDef;
