import { Badge, Code, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { formatDuration } from '../../shared/format.ts';
import { useEditor } from '../store.ts';
import type { Step } from './model.ts';
import classes from './testrun.module.css';

/**
 * The run's timeline: one row per node visit (time on the simulated clock,
 * node, outcome, what it asked of the outside world). The selected row opens
 * with the step's variables and effect; the canvas highlights its node.
 */
export function StepList({ trace, cursor, onSelect }: { trace: Step[]; cursor: number; onSelect(index: number): void }) {
  return (
    <ol className={classes.steps} aria-label="Steps of the run">
      {trace.map((step) => {
        const active = step.index === cursor;
        return (
          <li key={step.index} className={classes.stepItem} data-depth={step.depth || undefined}>
            <UnstyledButton
              ref={active ? scrollIntoView : undefined}
              className={classes.step}
              data-active={active || undefined}
              data-error={step.error ? true : undefined}
              aria-current={active ? 'step' : undefined}
              aria-expanded={active}
              onClick={() => onSelect(step.index)}
            >
              <span className={classes.stepTime}>+{formatDuration(step.at)}</span>
              <span className={classes.stepMain}>
                <StepTitle step={step} />
                {step.effect && (
                  <Text size="xs" c="dimmed" truncate="end" className={classes.effectLine}>
                    {step.effect.summary}
                  </Text>
                )}
              </span>
              {step.outcome ? (
                <Badge size="xs" variant="light" color={step.error ? 'red' : 'gray'} className={classes.stepOutcome}>
                  {step.outcome}
                </Badge>
              ) : (
                <Badge size="xs" variant="light" color="teal" className={classes.stepOutcome}>
                  end
                </Badge>
              )}
            </UnstyledButton>
            {active && <StepDetail step={step} />}
          </li>
        );
      })}
    </ol>
  );
}

/** Keeps the selected step in view as the animation or the keyboard moves on. */
const scrollIntoView = (el: HTMLElement | null) => el?.scrollIntoView({ block: 'nearest' });

function StepTitle({ step }: { step: Step }) {
  const label = useEditor((s) => (step.depth === 0 ? s.doc?.nodes.find((n) => n.id === step.nodeId)?.label : undefined));
  return (
    <Text size="sm" fw={500} truncate="end">
      {step.depth > 0 && (
        <Text span size="xs" c="dimmed" ff="monospace">
          {step.scenarioId} ›{' '}
        </Text>
      )}
      {label ?? step.nodeId}{' '}
      <Text span size="xs" c="dimmed">
        {step.type}
      </Text>
    </Text>
  );
}

function StepDetail({ step }: { step: Step }) {
  const changed = Object.entries(step.changed ?? {});
  return (
    <Stack gap={6} className={classes.detail}>
      {step.error && (
        <Text size="xs" c="red.8">
          {step.error}
        </Text>
      )}
      <Section title={changed.length ? 'Set in this step' : 'No variables set in this step'}>
        {changed.map(([name, value]) => (
          <Group key={name} gap={6} wrap="nowrap" align="flex-start">
            <Code className={classes.varName}>{name}</Code>
            <IconArrowRight size={12} style={{ marginTop: 4, flex: 'none' }} aria-hidden />
            <Code block className={classes.json}>
              {JSON.stringify(value, null, 1)}
            </Code>
          </Group>
        ))}
      </Section>
      {step.effect && (
        <Section title={`Effect · ${step.effect.kind} · ${step.effect.status}`}>
          <Text size="xs">{step.effect.summary}</Text>
          {step.effect.externalId && (
            <Text size="xs" c="dimmed">
              id {step.effect.externalId}
            </Text>
          )}
          {step.effect.result !== null && (
            <Code block className={classes.json}>
              {JSON.stringify(step.effect.result, null, 1)}
            </Code>
          )}
        </Section>
      )}
      <Section title="Variables after the step">
        <Code block className={classes.json}>
          {JSON.stringify(step.vars, null, 1)}
        </Code>
      </Section>
      <Text size="xs" c="dimmed">
        Step {step.step} of execution {step.executionId.slice(0, 8)} · took {formatDuration(step.durationMs)} simulated
      </Text>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" fw={600} c="dimmed" tt="uppercase" mb={2}>
        {title}
      </Text>
      {children}
    </div>
  );
}
