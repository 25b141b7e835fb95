import type { Issue } from '@tellflow/engine';

/** The engine's issues carried in an API error's details (`{ issues: [...] }`), or none. */
export function issuesOf(details: unknown): Issue[] {
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as Issue[]) : [];
}
