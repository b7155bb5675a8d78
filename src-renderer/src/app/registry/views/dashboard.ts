import { LayoutDashboard } from 'lucide-react';
import { DashboardView } from '../../../features/dashboard/components/dashboard-view';
import type { ViewDef } from '../view-def';

// First in the sidebar, but Containers stays the view an empty hash opens (DEFAULT_VIEW).
export default { id: 'dashboard', label: 'Dashboard', icon: LayoutDashboard, group: 'main', order: 5, Component: DashboardView } satisfies ViewDef;
