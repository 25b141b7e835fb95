export type Severity = 'error' | 'warning';

/** A problem found in a scenario document: data, so the CLI, API and editor can each show it their way. */
export interface Issue {
  severity: Severity;
  /** The node the problem belongs to, when there is one. */
  nodeId?: string;
  /** Where in the document, e.g. `nodes[3].params.fields[0].type`. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** One line per issue: `error: node "dial" at nodes[3].params.number: must not be empty`. */
export function formatIssue(issue: Issue, file?: string): string {
  const where = [issue.nodeId !== undefined ? `node "${issue.nodeId}"` : '', issue.path ? `at ${issue.path}` : ''].filter(Boolean).join(' ');
  return `${file ? `${file}: ` : ''}${issue.severity}${where ? ` ${where}` : ''}: ${issue.message}`;
}

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === 'error');
