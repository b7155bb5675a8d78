import { createContext, useContext, type ComponentType, type ReactNode } from 'react';
import type { RunSpec } from '../../../src-shared/ipc/models/containers';

/**
 * Places where one feature shows UI inside another's view without importing it (features never
 * import each other). A feature exports a definition; `src/app/registry/` collects every file
 * in its folders and hands the lists down through ExtensionsProvider.
 */

/** Props every run-dialog section receives. */
export interface RunSectionProps<S> {
  hostId: string;
  value: S;
  onChange: (next: S) => void;
  /** Field -> message from `validate`, shown once the person tried to submit. */
  errors: Readonly<Record<string, string>>;
  showErrors: boolean;
  /** The image reference typed so far (sections may adapt, e.g. suggest its exposed ports). */
  image: string;
}

/**
 * One section of the run dialog (ports, networks, volumes, restart policy, health, logging...).
 * The section owns its slice of the form: its initial value, its validation and how it writes
 * into the RunSpec sent to `containers:run`. An option the engine cannot apply must be refused
 * by `validate`, never silently dropped.
 */
export interface RunSectionDef<S = unknown> {
  id: string;
  title: string;
  /** Position in the dialog; the built-in sections use 10..60, add yours between or after. */
  order: number;
  /** Start collapsed (advanced options); the section opens itself when it has an error. */
  collapsed?: boolean;
  initial: () => S;
  validate?: (value: S) => Record<string, string>;
  apply: (value: S, spec: RunSpec) => RunSpec;
  Component: ComponentType<RunSectionProps<S>>;
}

/** Helper for a typed definition: `export default defineRunSection<PortsForm>({...})`. */
export function defineRunSection<S>(def: RunSectionDef<S>): RunSectionDef<unknown> {
  return def as unknown as RunSectionDef<unknown>;
}

export interface ContainerTabProps {
  hostId: string;
  containerId: string;
  running: boolean;
  /** The tab is the one showing (a hidden, kept-mounted tab should pause its work). */
  visible: boolean;
}

/** One extra tab of the container details (Files, Health, ...). */
export interface ContainerTabDef {
  id: string;
  label: string;
  /** Built-in tabs: logs 10, inspect 20, stats 30, processes 40, terminal 50. */
  order: number;
  /** Stay mounted once opened (keeps state across tab switches). */
  keepMounted?: boolean;
  Component: ComponentType<ContainerTabProps>;
}

export interface Extensions {
  runSections: readonly RunSectionDef[];
  containerTabs: readonly ContainerTabDef[];
}

const EMPTY: Extensions = { runSections: [], containerTabs: [] };
const ExtensionsContext = createContext<Extensions>(EMPTY);

export function ExtensionsProvider({ value, children }: { value: Extensions; children: ReactNode }): ReactNode {
  return <ExtensionsContext.Provider value={value}>{children}</ExtensionsContext.Provider>;
}

export function useExtensions(): Extensions {
  return useContext(ExtensionsContext);
}
