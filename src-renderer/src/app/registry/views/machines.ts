import { Server } from 'lucide-react';
import { MachinesView } from '../../../features/machines/components/machines-view';
import type { ViewDef } from '../view-def';

export default { id: 'machines', label: 'Machines', icon: Server, group: 'config', order: 85, Component: MachinesView } satisfies ViewDef;
