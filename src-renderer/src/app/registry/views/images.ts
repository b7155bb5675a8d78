import { Layers } from 'lucide-react';
import { ImagesRoute } from '../../../features/images/components/images-route';
import type { ViewDef } from '../view-def';

export default { id: 'images', label: 'Images', icon: Layers, group: 'main', order: 20, Component: ImagesRoute } satisfies ViewDef;
