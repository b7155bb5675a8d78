import { FilesPanel } from '../../../features/files/components/files-panel';
import type { ContainerTabDef } from '../../../lib/extension-points';

export default { id: 'files', label: 'Files', order: 60, keepMounted: true, Component: FilesPanel } satisfies ContainerTabDef;
