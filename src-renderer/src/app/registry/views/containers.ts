import { Box } from 'lucide-react';
import { ContainersRoute } from '../../../features/containers/components/containers-route';
import type { ViewDef } from '../view-def';

export default { id: 'containers', label: 'Containers', icon: Box, group: 'main', order: 10, Component: ContainersRoute } satisfies ViewDef;
