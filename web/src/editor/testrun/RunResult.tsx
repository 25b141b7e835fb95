import { Alert, Badge, Button, Code, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCurrentLocation, IconPlayerTrackNext, IconShieldCheck } from '@tabler/icons-react';
import type { Json } from '@tellflow/engine';
import { useReactFlow } from '@xyflow/react';
import { formatDuration } from '../../shared/format.ts';
import { useEditor } from '../store.ts';
import { InlineForm } from './InlineForm.tsx';
import { answerKey, finished, type RunReply, withAnswer } from './model.ts';
import { SaveAsTestCase } from './SaveAsTestCase.tsx';
import { type ShownRun, useTestRun } from './state.ts';
import { StepList } from './StepList.tsx';
import classes from './testrun.module.css';
import { useRunDraft } from './useRunDraft.ts';

export const STATUS_COLORS: Record<RunReply['status'], string> = {
  completed: 'teal',
  failed: 'red',
  cancelled: 'gray',
  needsAnswer: 'grape',
  stopped: 'orange',
};

const STATUS_LABELS: Record<RunReply['status'], string> = {
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  needsAnswer: 'Waiting for a form',
  stopped: 'Stopped',
};

/** A run shown: how it ended, the form it waits for, its timeline, and what can be done with it. */
export function RunResult({ run, stale }: { run: ShownRun; stale: boolean }) {
  const { reply } = run;
  const cursor = useTestRun((s) => s.cursor);
  const playing = useTestRun((s) => s.playing);
  const moveTo = useTestRun((s) => s.moveTo);
  const skip = useTestRun((s) => s.skip);
  const runDraft = useRunDraft();
  const flow = useReactFlow();
  const scenarioId = useEditor((s) => s.scenarioId) ?? '';

  const showNode = (nodeId: string) => {
    useEditor.getState().select([nodeId]);
    void flow.fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2 });
  };
  const answer = (values: Record<string, Json> | null) => {
    if (!reply.pendingForm) return;
    const answers = withAnswer(useTestRun.getState().answers, answerKey(reply.pendingForm, scenarioId), values);
    runDraft.mutate({ answers, from: reply.trace.length });
  };
  const waiting = reply.status === 'needsAnswer' && reply.pendingForm && !stale && run.source.kind === 'draft';

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap">
        <Group gap={8}>
          <Badge size="lg" variant="light" color={STATUS_COLORS[reply.status]} data-testid="run-status">
            {STATUS_LABELS[reply.status]}
          </Badge>
          <Text size="xs" c="dimmed">
            {reply.trace.length} steps · {formatDuration(reply.simulatedMs)} simulated
          </Text>
        </Group>
        {playing && (
          <Button size="compact-xs" variant="subtle" leftSection={<IconPlayerTrackNext size={14} />} onClick={skip}>
            Skip
          </Button>
        )}
      </Group>
      {run.source.kind === 'test' && (
        <Text size="xs" c="dimmed">
          Test case "{run.source.name}" as run on saved version {run.source.version}.
        </Text>
      )}
      {stale && (
        <Alert color="yellow" variant="light" p="xs" icon={<IconAlertTriangle size={16} />}>
          <Text size="xs">The draft has changed since this run; run it again to see the path on the canvas.</Text>
        </Alert>
      )}
      {reply.error && reply.status !== 'needsAnswer' && (
        <Alert color={reply.status === 'failed' ? 'red' : 'orange'} variant="light" p="xs" icon={<IconAlertTriangle size={16} />}>
          <Text size="xs">{reply.error}</Text>
          {reply.errorNodeId && !stale && (
            <Button size="compact-xs" variant="subtle" mt={4} leftSection={<IconCurrentLocation size={14} />} onClick={() => showNode(reply.errorNodeId!)}>
              Show {reply.errorNodeId} on the canvas
            </Button>
          )}
        </Alert>
      )}
      {reply.status === 'completed' && (
        <Group gap={6} wrap="nowrap" align="flex-start">
          <Text size="xs" fw={600} c="dimmed" tt="uppercase" mt={3}>
            Result
          </Text>
          <Code block className={classes.json} data-testid="run-result">
            {JSON.stringify(reply.result, null, 1)}
          </Code>
        </Group>
      )}
      {waiting && reply.pendingForm && (
        <InlineForm key={`${reply.pendingForm.nodeId}|${reply.trace.length}`} pending={reply.pendingForm} busy={runDraft.isPending} onAnswer={answer} />
      )}
      {runDraft.isError && (
        <Alert color="red" variant="light" p="xs" title="The run could not go on">
          <Text size="xs">{runDraft.error.message}</Text>
        </Alert>
      )}
      {reply.unusedAnswers.length > 0 && (
        <Text size="xs" c="orange.9">
          No form used the answers for: {reply.unusedAnswers.join(', ')}.
        </Text>
      )}
      {finished(reply) && run.source.kind === 'draft' && !stale && (
        <Group justify="flex-end">
          <SaveAsTestCase run={reply} />
        </Group>
      )}
      {reply.trace.length > 0 ? (
        <StepList trace={reply.trace} cursor={cursor} onSelect={moveTo} />
      ) : (
        <Text size="sm" c="dimmed">
          No step ran.
        </Text>
      )}
      <Group gap={6} wrap="nowrap" align="flex-start" className={classes.sandboxNote}>
        <IconShieldCheck size={16} color="var(--mantine-color-teal-8)" style={{ flex: 'none', marginTop: 2 }} aria-hidden />
        <Text size="xs" c="dimmed">
          {reply.sandbox}
        </Text>
      </Group>
    </Stack>
  );
}
