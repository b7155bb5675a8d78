import type { ComponentType } from 'react';
import type { LucideIcon } from 'lucide-react';

/**
 * One entry of the sidebar: `#/<id>` shows `Component`. Register a view by adding one file
 * `src/app/registry/views/<id>.ts` whose default export is a ViewDef (no shared list to edit).
 */
export interface ViewDef {
  /** The first hash segment: `#/volumes`, `#/volumes/<name>`. Lowercase, unique. */
  id: string;
  /** Sidebar label; also the view's <h1> (the e2e helpers find views by it). */
  label: string;
  icon: LucideIcon;
  /** 'main' = the resource lists, 'config' = mirrors, hosts, settings (below a separator). */
  group: 'main' | 'config';
  /** Sidebar position within its group: dashboard 5, containers 10, images 20, mirrors 80, hosts 90, settings 100. */
  order: number;
  Component: ComponentType;
}
