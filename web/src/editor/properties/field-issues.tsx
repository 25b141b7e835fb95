/**
 * The engine's issues of the node shown in the property panel, by their path
 * inside the node (`params.fields[0].type`), for each field to show its own.
 */
import type { Severity } from '@tellflow/engine';
import { createContext, useContext, useMemo } from 'react';

export interface FieldIssue {
  path: string;
  severity: Severity;
  message: string;
}

const FieldIssues = createContext<FieldIssue[]>([]);
export const FieldIssuesProvider = FieldIssues.Provider;

/**
 * The issues a field shows: those at its path, and for a field that is edited
 * as one piece (an expression, a query) those anywhere inside it too.
 */
export function useFieldIssues(path: string, inside: boolean): FieldIssue[] {
  const all = useContext(FieldIssues);
  return useMemo(() => all.filter((i) => i.path === path || (inside && (i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`)))), [all, path, inside]);
}

/** Whether any issue lies inside the field at `path` (to open a collapsed group that has one). */
export function useHasIssuesWithin(path: string): boolean {
  const all = useContext(FieldIssues);
  return all.some((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
}
