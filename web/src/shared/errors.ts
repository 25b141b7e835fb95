import { notifications } from '@mantine/notifications';
import { ApiError } from './api.ts';

/** The server's `{ error, details }` as one readable text: the error, then each detail on its own line. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error instanceof ApiError) || error.details === undefined) return error.message;
  const lines = detailLines(error.details);
  return lines.length ? `${error.message}\n${lines.join('\n')}` : error.message;
}

function detailLines(details: unknown): string[] {
  if (Array.isArray(details)) return details.map((d) => (typeof d === 'object' && d !== null ? describeDetail(d as Record<string, unknown>) : String(d)));
  if (typeof details === 'object' && details !== null) {
    const issues = (details as { issues?: unknown }).issues;
    if (Array.isArray(issues)) return detailLines(issues);
  }
  return [];
}

function describeDetail(d: Record<string, unknown>): string {
  const where = [d.nodeId && `node ${d.nodeId}`, d.path].filter(Boolean).join(' · ');
  const message = typeof d.message === 'string' ? d.message : JSON.stringify(d);
  return where ? `${where}: ${message}` : message;
}

/** A notification's close button needs a name (axe button-name). */
const DISMISS = { 'aria-label': 'Dismiss the notification' };

/** A red notification for a failed action, with the server's words. */
export function notifyError(title: string, error: unknown): void {
  notifications.show({ color: 'red', title, message: errorText(error), autoClose: 8000, style: { whiteSpace: 'pre-line' }, closeButtonProps: DISMISS });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 3000, closeButtonProps: DISMISS });
}
