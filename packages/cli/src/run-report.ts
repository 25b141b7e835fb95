/**
 * What `tellflow run` prints: an execution's trace with the traces of the
 * child scenarios it ran nested under the steps that started them.
 */
import type { ExecutionReport } from '@tellflow/runtime/test-run';

export type { ExecutionReport, StepReport } from '@tellflow/runtime/test-run';

/** One line per step: offset, node, type, outcome, changed variables (children indented under their step). */
export function formatTrace(report: ExecutionReport, indent = ''): string[] {
  const rows = report.trace;
  const idWidth = Math.max(0, ...rows.map((r) => r.nodeId.length));
  const typeWidth = Math.max(0, ...rows.map((r) => r.nodeType.length));
  const outcomeWidth = Math.max(0, ...rows.map((r) => (r.outcome ?? '-').length));
  const offsetWidth = Math.max(0, ...rows.map((r) => formatOffset(r.offsetMs).length));
  const lines: string[] = [];
  for (const r of rows) {
    const details = [
      ...Object.entries(r.changed ?? {}).map(([name, value]) => `${name}=${shorten(JSON.stringify(value))}`),
      ...(r.error ? [`error: ${r.error}`] : []),
    ].join(' ');
    lines.push(
      `${indent}${formatOffset(r.offsetMs).padEnd(offsetWidth)}  ${r.nodeId.padEnd(idWidth)}  ${r.nodeType.padEnd(typeWidth)}  ${(r.outcome ?? '-').padEnd(outcomeWidth)}  ${details}`.trimEnd(),
    );
    if (r.child) lines.push(...formatChild(r.child, `${indent}    `));
  }
  for (const child of report.children ?? []) lines.push(...formatChild(child, `${indent}    `));
  return lines;
}

function formatChild(child: ExecutionReport, indent: string): string[] {
  return [`${indent}↳ ${child.scenarioId} v${child.version}: ${child.status}`, ...formatTrace(child, indent)];
}

/** The last line: how the execution ended. */
export function formatStatus(report: ExecutionReport): string {
  const at = report.errorNodeId ? ` at node "${report.errorNodeId}"` : '';
  switch (report.status) {
    case 'completed':
      return report.result === null ? 'completed' : `completed, result: ${JSON.stringify(report.result)}`;
    case 'failed':
    case 'cancelled':
      return `${report.status}${at}${report.error ? `: ${report.error}` : ''}`;
    default:
      return report.status;
  }
}

/** `+0:05:00`, `+1:00:02.500`. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const frac = abs % 1000 ? `.${String(abs % 1000).padStart(3, '0')}` : '';
  return `${sign}${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${frac}`;
}

const shorten = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
