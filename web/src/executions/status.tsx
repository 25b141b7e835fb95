import { Badge } from '@mantine/core';
import type { ExecutionStatus } from '@tellflow/api';

export const STATUS_COLORS: Record<ExecutionStatus, string> = {
  running: 'blue',
  waiting: 'cyan',
  completed: 'teal',
  failed: 'red',
  cancelled: 'gray',
};

export const STATUS_OPTIONS = (Object.keys(STATUS_COLORS) as ExecutionStatus[]).map((s) => ({ value: s, label: s }));

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    <Badge variant="light" color={STATUS_COLORS[status]}>
      {status}
    </Badge>
  );
}

/** How long an execution ran; an unfinished one, how long it has been running. */
export function durationMs(x: { createdAt: Date; endedAt: Date | null }, now = Date.now()): number {
  return (x.endedAt ?? new Date(now)).getTime() - x.createdAt.getTime();
}
