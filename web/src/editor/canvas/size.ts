import type { NodeCatalogEntry } from '@tellflow/engine';
import { outcomesOf } from '../outcomes.ts';
import type { DocNode } from '../store.ts';
import { keyParams } from './summary.ts';

/** Cards are this wide (canvas.module.css `.card`). */
export const CARD_WIDTH = 240;

/**
 * A card's size before the browser has measured it (a node never scrolled
 * into view): the same parts as ScenarioNodeCard, at their CSS heights.
 */
export function estimatedCardSize(node: DocNode, entry: NodeCatalogEntry | undefined): { width: number; height: number } {
  const head = 46;
  const lines = keyParams(node, entry).length;
  const params = lines ? 11 + lines * 16.5 : 0;
  const outcomes = outcomesOf(node).length ? 29 : 0;
  return { width: CARD_WIDTH, height: Math.round(head + params + outcomes + 4) };
}
