import { Settings } from 'lucide-react';
import { SettingsView } from '../../../features/settings/components/settings-view';
import type { ViewDef } from '../view-def';

export default { id: 'settings', label: 'Settings', icon: Settings, group: 'config', order: 100, Component: SettingsView } satisfies ViewDef;
