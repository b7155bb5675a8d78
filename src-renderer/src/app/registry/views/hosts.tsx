import type { ReactNode } from 'react';
import { Server } from 'lucide-react';
import { HostsView } from '../../../features/hosts/components/hosts-view';
import { MachinesView } from '../../../features/machines/components/machines-view';
import type { ViewDef } from '../view-def';

/** Every place the app can run containers: SSH hosts, and the Berth machines (local VMs) beside them. */
function HostsPage(): ReactNode {
  return (
    <>
      <HostsView />
      <MachinesView embedded />
    </>
  );
}

export default { id: 'hosts', label: 'Hosts', icon: Server, group: 'config', order: 90, Component: HostsPage } satisfies ViewDef;
