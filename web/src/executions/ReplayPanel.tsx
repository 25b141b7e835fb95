/** The replay's side panel: the timeline controls, the steps, and the current step's variables and effect. */
import { ActionIcon, Alert, Badge, Code, Group, ScrollArea, Stack, Table, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconChevronLeft, IconChevronRight, IconChevronsLeft, IconChevronsRight } from '@tabler/icons-react';
import type { ExecutionDetail } from '@tellflow/api';
import type { Json, Scenario } from '@tellflow/engine';
import { type ReactNode, useEffect, useRef } from 'react';
import { formatDuration } from '../shared/format.ts';
import type { ReplayStep } from './replay.ts';
import classes from './replay.module.css';

interface Props {
  execution: ExecutionDetail;
  doc: Scenario;
  steps: ReplayStep[];
  index: number;
  onGo: (index: number) => void;
}

export function ReplayPanel({ execution, doc, steps, index, onGo }: Props) {
  const labels = new Map(doc.nodes.map((n) => [n.id, n.label ?? n.id]));
  const step = steps[index];
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.querySelector(`[data-index="${index}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [index]);

  if (!step)
    return (
      <Stack p="md">
        <Text fw={600}>No steps recorded</Text>
        <Text size="sm" c="dimmed">
          This execution has not visited any node yet.
        </Text>
      </Stack>
    );
  const started = execution.createdAt.getTime();
  return (
    <div className={classes.panel}>
      <div className={classes.controls}>
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700} size="sm" aria-live="polite">
            Step {index + 1} of {steps.length}
          </Text>
          <Group gap={4} wrap="nowrap">
            <Control label="First step (Home)" onClick={() => onGo(0)} disabled={index === 0} shortcut="Home">
              <IconChevronsLeft size={16} />
            </Control>
            <Control label="Previous step (←)" onClick={() => onGo(index - 1)} disabled={index === 0} shortcut="ArrowLeft">
              <IconChevronLeft size={16} />
            </Control>
            <Control label="Next step (→)" onClick={() => onGo(index + 1)} disabled={index === steps.length - 1} shortcut="ArrowRight">
              <IconChevronRight size={16} />
            </Control>
            <Control label="Last step (End)" onClick={() => onGo(steps.length - 1)} disabled={index === steps.length - 1} shortcut="End">
              <IconChevronsRight size={16} />
            </Control>
          </Group>
        </Group>
        <div className={classes.track} aria-hidden="true">
          <div className={classes.progress} style={{ width: `${steps.length > 1 ? (index / (steps.length - 1)) * 100 : 100}%` }} />
        </div>
      </div>
      <ScrollArea.Autosize mah={210} type="auto" className={classes.stepsWrap}>
        <ol className={classes.steps} ref={list} aria-label="Steps">
          {steps.map((s, i) => (
            <li key={`${s.step}|${s.nodeId}`}>
              <UnstyledButton className={classes.step} data-index={i} aria-current={i === index ? 'step' : undefined} onClick={() => onGo(i)}>
                <span className={classes.stepNo}>{s.step}</span>
                <Text size="sm" fw={i === index ? 700 : 500} truncate style={{ flex: 1 }}>
                  {labels.get(s.nodeId) ?? s.nodeId}
                </Text>
                {s.pending ? (
                  <Badge size="xs" variant="light" color={s.pending === 'failed' ? 'red' : 'cyan'}>
                    {s.pending}
                  </Badge>
                ) : s.row?.error ? (
                  <Badge size="xs" variant="light" color="red">
                    error
                  </Badge>
                ) : s.row?.outcome ? (
                  <Text size="xs" c="dimmed" ff="monospace">
                    {s.row.outcome}
                  </Text>
                ) : null}
              </UnstyledButton>
            </li>
          ))}
        </ol>
      </ScrollArea.Autosize>
      <ScrollArea className={classes.details} type="auto">
        <Stack gap="md" p="md">
          <div>
            <Text component="h2" fw={700} size="md" m={0}>
              {labels.get(step.nodeId) ?? step.nodeId}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {step.nodeId} · {step.nodeType}
              {step.row ? ` · at +${formatDuration(step.row.startedAt.getTime() - started)}` : ''}
            </Text>
            {step.row?.outcome && (
              <Text size="sm" mt={4}>
                Outcome <Code>{step.row.outcome}</Code>
              </Text>
            )}
            {step.pending === 'waiting' && (
              <Text size="sm" mt={4}>
                Waiting here for {execution.state?.waiting?.kind ?? 'the outside world'}.
              </Text>
            )}
          </div>
          {(step.row?.error || (step.pending === 'failed' && execution.state?.error)) && (
            <Alert color="red" icon={<IconAlertTriangle size={16} />} p="xs" title="Error">
              {step.row?.error ?? execution.state?.error?.message}
            </Alert>
          )}
          <section aria-label="Variables at this step">
            <Text component="h3" size="xs" fw={700} tt="uppercase" c="dimmed" m={0} mb={6}>
              Variables after this step
            </Text>
            <VariableTable vars={step.vars} changed={step.changed} />
          </section>
          {step.effect && (
            <section aria-label="Effect of this step">
              <Group gap={6} mb={6}>
                <Text component="h3" size="xs" fw={700} tt="uppercase" c="dimmed" m={0}>
                  Effect
                </Text>
                <Badge size="xs" variant="light">
                  {step.effect.kind}
                </Badge>
                <Badge size="xs" variant="outline" color={step.effect.status === 'done' ? 'teal' : step.effect.status === 'pending' ? 'cyan' : 'gray'}>
                  {step.effect.status}
                </Badge>
              </Group>
              <Text size="xs" fw={600} mb={2}>
                Request
              </Text>
              <JsonBlock value={withoutKind(step.effect.request)} label="Effect request" />
              <Text size="xs" fw={600} mt={6} mb={2}>
                Result
              </Text>
              {step.effect.result === null ? (
                <Text size="sm" c="dimmed">
                  {step.effect.status === 'pending' ? 'not yet' : 'none'}
                </Text>
              ) : (
                <JsonBlock value={step.effect.result} label="Effect result" />
              )}
            </section>
          )}
          {index === steps.length - 1 && execution.result !== null && (
            <section aria-label="Result of the execution">
              <Text component="h3" size="xs" fw={700} tt="uppercase" c="dimmed" m={0} mb={6}>
                Result
              </Text>
              <JsonBlock value={execution.result} label="Execution result" />
            </section>
          )}
        </Stack>
      </ScrollArea>
    </div>
  );
}

function Control({
  label,
  onClick,
  disabled,
  shortcut,
  children,
}: {
  label: string;
  onClick: () => void;
  disabled: boolean;
  shortcut: string;
  children: ReactNode;
}) {
  return (
    <Tooltip label={label}>
      <ActionIcon variant="default" aria-label={label} aria-keyshortcuts={shortcut} onClick={onClick} disabled={disabled}>
        {children}
      </ActionIcon>
    </Tooltip>
  );
}

function VariableTable({ vars, changed }: { vars: Record<string, Json>; changed: Record<string, Json> }) {
  const names = Object.keys(vars).sort((a, b) => Number(b in changed) - Number(a in changed) || a.localeCompare(b));
  if (!names.length)
    return (
      <Text size="sm" c="dimmed">
        No variables yet.
      </Text>
    );
  return (
    <Table withTableBorder withColumnBorders={false} verticalSpacing={4} horizontalSpacing="xs" fz="xs" className={classes.vars}>
      <Table.Tbody>
        {names.map((name) => (
          <Table.Tr key={name} data-var={name} data-changed={name in changed || undefined}>
            <Table.Td ff="monospace" fw={600} w="40%">
              {name}
              {name in changed && (
                <Badge size="xs" ml={4} variant="light" color="teal">
                  set
                </Badge>
              )}
            </Table.Td>
            <Table.Td ff="monospace" className={classes.value}>
              {JSON.stringify(vars[name])}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable)
    <section className={classes.json} aria-label={label} tabIndex={0}>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}

const withoutKind = (request: object) => Object.fromEntries(Object.entries(request).filter(([k]) => k !== 'kind'));
