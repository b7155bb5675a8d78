import { Globe } from 'lucide-react';
import { MirrorsView } from '../../../features/mirrors/components/mirrors-view';
import type { ViewDef } from '../view-def';

export default { id: 'mirrors', label: 'Mirrors', icon: Globe, group: 'config', order: 80, Component: MirrorsView } satisfies ViewDef;
