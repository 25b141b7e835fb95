/**
 * A diff between two versions as a list: scenario-level fields, nodes added,
 * removed and changed (each changed field as before → after), edges, and
 * nodes that only moved, apart. Used by the publish review and the diff page.
 */
import { Badge, Group, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { FieldChange, ScenarioDiff } from '@tellflow/engine';
import classes from './versions.module.css';

const CHANGE_COLORS = { added: 'green', removed: 'red', changed: 'yellow', moved: 'blue' } as const;

export interface DiffListProps {
  diff: ScenarioDiff;
  /** A node's label for the list (its id when none). */
  labelOf?: (id: string) => string | undefined;
  /** Clicking a node's entry (e.g. to show it on the canvas); without it, entries are not buttons. */
  onNode?: (id: string) => void;
  /** The node currently selected, highlighted in the list. */
  selected?: string | undefined;
}

export function DiffList({ diff, labelOf, onNode, selected }: DiffListProps) {
  const changedIds = new Set(diff.nodes.map((n) => n.id));
  const movedOnly = diff.layout.moved.filter((id) => !changedIds.has(id));
  if (diff.same)
    return (
      <Text size="sm" c="dimmed" py="md" ta="center">
        The two versions are identical.
      </Text>
    );
  const nothingFunctional = !diff.scenario.length && !diff.nodes.length && !diff.edges.length;
  return (
    <Stack gap="md">
      <DiffCounts diff={diff} movedOnly={movedOnly.length} />
      {nothingFunctional && (
        <Text size="sm" c="dimmed">
          Only the layout changed: what the scenario does is the same.
        </Text>
      )}
      {diff.scenario.length > 0 && (
        <section aria-label="Scenario changes">
          <SectionTitle>Scenario</SectionTitle>
          <div className={classes.entry} data-change="changed">
            <FieldList fields={diff.scenario} />
          </div>
        </section>
      )}
      {diff.nodes.length > 0 && (
        <section aria-label="Node changes">
          <SectionTitle>Nodes</SectionTitle>
          <Stack gap={6}>
            {diff.nodes.map((n) => {
              const label = labelOf?.(n.id);
              const head = (
                <Group gap={6} wrap="nowrap" miw={0}>
                  <Badge size="sm" variant="light" color={CHANGE_COLORS[n.change]} miw={68}>
                    {n.change}
                  </Badge>
                  <Text size="sm" fw={600} truncate>
                    {label ?? n.id}
                  </Text>
                  <Text size="xs" c="dimmed" ff="monospace" truncate>
                    {label ? `${n.id} · ` : ''}
                    {n.type}
                  </Text>
                </Group>
              );
              return (
                <div key={n.id} className={classes.entry} data-change={n.change} data-node={n.id} data-selected={selected === n.id || undefined}>
                  {onNode ? (
                    <UnstyledButton className={classes.entryButton} onClick={() => onNode(n.id)} title="Show it on the canvas">
                      {head}
                    </UnstyledButton>
                  ) : (
                    head
                  )}
                  {n.fields && <FieldList fields={n.fields} />}
                </div>
              );
            })}
          </Stack>
        </section>
      )}
      {diff.edges.length > 0 && (
        <section aria-label="Connection changes">
          <SectionTitle>Connections</SectionTitle>
          <Stack gap={4}>
            {diff.edges.map((e) => (
              <Group key={`${e.change}|${e.source}|${e.sourceHandle}|${e.target}`} gap={6} wrap="nowrap" className={classes.edge} data-change={e.change}>
                <Badge size="xs" variant="light" color={CHANGE_COLORS[e.change]} miw={60}>
                  {e.change}
                </Badge>
                <Text size="xs" ff="monospace" truncate>
                  {labelOf?.(e.source) ?? e.source} · {e.sourceHandle} → {labelOf?.(e.target) ?? e.target}
                </Text>
              </Group>
            ))}
          </Stack>
        </section>
      )}
      {movedOnly.length > 0 && (
        <section aria-label="Moved nodes">
          <SectionTitle>Moved only (layout)</SectionTitle>
          <Group gap={6}>
            {movedOnly.map((id) =>
              onNode ? (
                <Badge
                  key={id}
                  component="button"
                  type="button"
                  variant="outline"
                  color="blue"
                  className={classes.chip}
                  onClick={() => onNode(id)}
                  data-node={id}
                  aria-label={`Show ${labelOf?.(id) ?? id} (moved) on the canvas`}
                >
                  {labelOf?.(id) ?? id}
                </Badge>
              ) : (
                <Badge key={id} variant="outline" color="blue" data-node={id}>
                  {labelOf?.(id) ?? id}
                </Badge>
              ),
            )}
          </Group>
        </section>
      )}
    </Stack>
  );
}

function DiffCounts({ diff, movedOnly }: { diff: ScenarioDiff; movedOnly: number }) {
  const count = (c: 'added' | 'removed' | 'changed') => diff.nodes.filter((n) => n.change === c).length;
  const parts = [
    { n: count('added'), label: 'added', color: 'green' },
    { n: count('removed'), label: 'removed', color: 'red' },
    { n: count('changed'), label: 'changed', color: 'yellow' },
    { n: movedOnly, label: 'moved', color: 'blue' },
    { n: diff.edges.length, label: diff.edges.length === 1 ? 'connection' : 'connections', color: 'gray' },
  ].filter((p) => p.n > 0);
  return (
    <Group gap={6} aria-label="Summary of the changes">
      {parts.map((p) => (
        <Badge key={p.label} variant="dot" color={p.color}>
          {p.n} {p.label}
        </Badge>
      ))}
    </Group>
  );
}

function SectionTitle({ children }: { children: string }) {
  return (
    <Text component="h3" size="xs" fw={700} tt="uppercase" c="dimmed" mb={6} mt={0}>
      {children}
    </Text>
  );
}

function FieldList({ fields }: { fields: FieldChange[] }) {
  return (
    <dl className={classes.fields}>
      {fields.map((f) => (
        <div key={f.path} className={classes.field}>
          <dt>{f.path}</dt>
          <dd>
            {f.before !== undefined && (
              <span className={classes.before} title={full(f.before)}>
                {shown(f.before)}
              </span>
            )}
            {f.before !== undefined && f.after !== undefined && (
              <>
                <span aria-hidden="true"> → </span>
                <VisuallyHidden> becomes </VisuallyHidden>
              </>
            )}
            {f.after !== undefined && (
              <span className={classes.after} title={full(f.after)}>
                {shown(f.after)}
              </span>
            )}
            {f.before === undefined && <em className={classes.note}> (added)</em>}
            {f.after === undefined && <em className={classes.note}> (removed)</em>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

const full = (v: unknown) => JSON.stringify(v, null, 2) ?? 'undefined';

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}
