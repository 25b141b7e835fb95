import { Text, Tooltip } from '@mantine/core';
import type { NodeCatalogEntry } from '@tellflow/engine';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { DocNode } from '../store.ts';
import classes from './canvas.module.css';
import { CATEGORY_COLORS, NodeIcon } from './icons.tsx';
import { keyParams } from './summary.ts';

export interface CardData extends Record<string, unknown> {
  node: DocNode;
  entry: NodeCatalogEntry | undefined;
  outcomes: string[];
  /** The worst validation problem on this node. */
  problem?: 'error' | 'warning';
  problemText?: string;
  /** Run/replay/diff marks. */
  mark?: 'visited' | 'current' | 'added' | 'removed' | 'changed' | 'moved';
}

export type CardNode = Node<CardData, 'scenario'>;

/** A node on the canvas: its type's icon and title, its label, key params, and one labelled handle per outcome. */
export const ScenarioNodeCard = memo(function ScenarioNodeCard({ data, selected }: NodeProps<CardNode>) {
  const { node, entry, outcomes, problem, problemText, mark } = data;
  const color = CATEGORY_COLORS[entry?.category ?? ''] ?? 'gray';
  const isStart = node.type === 'start';
  const lines = keyParams(node, entry);
  return (
    <div
      className={classes.card}
      data-selected={selected || undefined}
      data-problem={problem}
      data-mark={mark}
      data-node-id={node.id}
      style={{ '--node-color': `var(--mantine-color-${color}-6)`, '--node-tint': `var(--mantine-color-${color}-0)` } as React.CSSProperties}
    >
      {!isStart && <Handle type="target" position={Position.Top} className={classes.target} />}
      <div className={classes.head}>
        <span className={classes.icon}>
          <NodeIcon name={entry?.icon} size={15} />
        </span>
        <div className={classes.titles}>
          <div className={classes.label}>{node.label ?? entry?.title ?? node.type}</div>
          <div className={classes.type}>
            {entry?.title ?? `unknown type ${node.type}`} · <span className={classes.id}>{node.id}</span>
          </div>
        </div>
        {problem && (
          <Tooltip label={problemText} multiline w={260}>
            <span className={classes.problem} role="img" aria-label={`${problem}: ${problemText}`}>
              !
            </span>
          </Tooltip>
        )}
      </div>
      {lines.length > 0 && (
        <div className={classes.params}>
          {lines.map((l) => (
            <Text key={l.field} size="xs" truncate="end" className={classes.param}>
              <span className={classes.field}>{l.field}</span> {l.text}
            </Text>
          ))}
        </div>
      )}
      {outcomes.length > 0 && (
        <div className={classes.outcomes}>
          {outcomes.map((o) => (
            <div key={o} className={classes.outcome}>
              <span className={classes.outcomeLabel}>{o}</span>
              <Handle id={o} type="source" position={Position.Bottom} className={classes.source} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
