import { Hammer } from 'lucide-react';
import { BuildsView } from '../../../features/builds/components/builds-view';
import type { ViewDef } from '../view-def';

export default { id: 'builds', label: 'Builds', icon: Hammer, group: 'main', order: 25, Component: BuildsView } satisfies ViewDef;
