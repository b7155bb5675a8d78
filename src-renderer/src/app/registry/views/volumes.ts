import { HardDrive } from 'lucide-react';
import { VolumesRoute } from '../../../features/volumes/components/volumes-route';
import type { ViewDef } from '../view-def';

export default { id: 'volumes', label: 'Volumes', icon: HardDrive, group: 'main', order: 40, Component: VolumesRoute } satisfies ViewDef;
