/**
 * Card sizes and handle positions before the browser has measured a card.
 * Giving React Flow these for every node lets it draw only the cards in view
 * (a node without them is rendered once just to be measured, which for a
 * large scenario means rendering every card on open) while edges to cards
 * out of view still end in the right place. The figures follow
 * canvas.module.css; the browser's measurement replaces them once a card
 * is drawn.
 */
import type { NodeCatalogEntry } from '@tellflow/engine';
import { type NodeHandle, Position } from '@xyflow/react';
import { outcomesOf } from '../outcomes.ts';
import type { DocNode } from '../store.ts';
import { keyParams } from './summary.ts';

/** Cards are this wide (`.card`). */
export const CARD_WIDTH = 240;
/** `.head` with the card's borders. */
const HEAD = 55.19;
/** `.params`: its padding and border, then one line per key parameter. */
const PARAMS = 12.3;
const PARAM_LINE = 16.25;
/** `.outcomes`: the row of outcome labels with their handles. */
const OUTCOMES = 31.27;
/** `.source`/`.target` handles are 11 px squares. */
const HANDLE = 11;
/** `.outcomes` padding (4 px) plus the card's border (1 px); outcome cells are 2 px apart. */
const OUTCOME_INSET = 5;
const OUTCOME_GAP = 2;

export interface CardLayout {
  width: number;
  height: number;
  handles: NodeHandle[];
}

export function estimatedCardLayout(node: DocNode, entry: NodeCatalogEntry | undefined, outcomes = outcomesOf(node)): CardLayout {
  const lines = keyParams(node, entry).length;
  const exact = HEAD + (lines ? PARAMS + lines * PARAM_LINE : 0) + (outcomes.length ? OUTCOMES : 0);
  const height = Math.round(exact);
  const handles: NodeHandle[] = [];
  if (node.type !== 'start')
    handles.push({ id: null, type: 'target', position: Position.Top, x: CARD_WIDTH / 2 - HANDLE / 2, y: -HANDLE / 4, width: HANDLE, height: HANDLE });
  const cell = (CARD_WIDTH - 2 * OUTCOME_INSET - OUTCOME_GAP * (outcomes.length - 1)) / outcomes.length;
  outcomes.forEach((id, i) => {
    const centre = OUTCOME_INSET + i * (cell + OUTCOME_GAP) + cell / 2;
    handles.push({ id, type: 'source', position: Position.Bottom, x: centre - HANDLE / 2, y: exact - 0.3, width: HANDLE, height: HANDLE });
  });
  return { width: CARD_WIDTH, height, handles };
}

export function estimatedCardSize(node: DocNode, entry: NodeCatalogEntry | undefined): { width: number; height: number } {
  const { width, height } = estimatedCardLayout(node, entry);
  return { width, height };
}
