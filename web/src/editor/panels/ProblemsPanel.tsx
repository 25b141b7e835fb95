import { Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import type { Issue } from '@tellflow/engine';
import { useReactFlow } from '@xyflow/react';
import { useMemo } from 'react';
import { useEditor } from '../store.ts';
import { pathInNode, usePanels } from './panel-state.ts';
import classes from './panels.module.css';

/** The engine's issues for the draft; clicking one selects its node and brings it into view. */
export function ProblemsPanel({ issues }: { issues: Issue[] }) {
  const flow = useReactFlow();
  const select = useEditor((s) => s.select);
  const nodes = useEditor((s) => s.doc?.nodes);
  const nodeIndex = useMemo(() => new Map(nodes?.map((n, i) => [n.id, i])), [nodes]);
  if (issues.length === 0)
    return (
      <Stack align="center" gap={6} py="xl">
        <ThemeIcon color="teal" variant="light" size={40} radius="xl">
          <IconCircleCheck size={24} />
        </ThemeIcon>
        <Text fw={600}>No problems</Text>
        <Text size="sm" c="dimmed">
          The engine finds nothing wrong with this draft.
        </Text>
      </Stack>
    );
  const jump = (issue: Issue) => {
    if (!issue.nodeId) {
      if (issue.path.startsWith('variables')) usePanels.getState().setTab('variables');
      return;
    }
    const { doc } = useEditor.getState();
    const index = doc?.nodes.findIndex((n) => n.id === issue.nodeId) ?? -1;
    select([issue.nodeId]);
    usePanels.getState().showField(issue.nodeId, pathInNode(issue.path, index));
    void flow.fitView({ nodes: [{ id: issue.nodeId }], duration: 300, maxZoom: 1.2 });
  };
  return (
    <Stack gap={6}>
      {issues.map((issue) => (
        <UnstyledButton
          key={`${issue.nodeId}|${issue.path}|${issue.message}`}
          className={classes.issue}
          data-severity={issue.severity}
          onClick={() => jump(issue)}
          disabled={!issue.nodeId && !issue.path.startsWith('variables')}
        >
          {issue.severity === 'error' ? (
            <IconCircleX size={16} color="var(--mantine-color-red-6)" />
          ) : (
            <IconAlertTriangle size={16} color="var(--mantine-color-yellow-7)" />
          )}
          <div>
            <Text size="sm">{issue.message}</Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {issue.nodeId ? `${issue.nodeId} · ` : ''}
              {(issue.nodeId ? pathInNode(issue.path, nodeIndex.get(issue.nodeId) ?? -1) : issue.path) || (issue.nodeId ? 'node' : 'scenario')}
            </Text>
          </div>
        </UnstyledButton>
      ))}
    </Stack>
  );
}
