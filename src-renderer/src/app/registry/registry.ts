import type { ContainerTabDef, Extensions, RunSectionDef } from '../../lib/extension-points';
import type { ViewDef } from './view-def';

// Every file in these folders registers one thing (its default export). Features add a file,
// never edit a shared list, so parallel work does not collide. Vite (and Vitest) resolve the
// globs at build time.
const viewModules = import.meta.glob<{ default: ViewDef }>('./views/*.{ts,tsx}', { eager: true });
const runSectionModules = import.meta.glob<{ default: RunSectionDef }>('./run-sections/*.{ts,tsx}', { eager: true });
const containerTabModules = import.meta.glob<{ default: ContainerTabDef }>('./container-tabs/*.{ts,tsx}', { eager: true });

const byOrder = <T extends { order: number; id: string }>(a: T, b: T): number => a.order - b.order || a.id.localeCompare(b.id);

export const VIEWS: readonly ViewDef[] = Object.values(viewModules)
  .map((m) => m.default)
  .sort(byOrder);

export const EXTENSIONS: Extensions = {
  runSections: Object.values(runSectionModules)
    .map((m) => m.default)
    .sort(byOrder),
  containerTabs: Object.values(containerTabModules)
    .map((m) => m.default)
    .sort(byOrder),
};

export const DEFAULT_VIEW = 'containers';

export function viewFromHash(hash: string, views: readonly ViewDef[] = VIEWS): ViewDef | undefined {
  const id = hash.replace(/^#\/?/, '').split('/')[0] || DEFAULT_VIEW;
  return views.find((v) => v.id === id) ?? views.find((v) => v.id === DEFAULT_VIEW);
}
