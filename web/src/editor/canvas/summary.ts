import type { NodeCatalogEntry } from '@tellflow/engine';
import type { DocNode } from '../store.ts';

const MAX_CHARS = 42;

/** Up to `max` "field: value" lines for a node's card, from its params in the catalogue's field order. */
export function keyParams(node: DocNode, entry: NodeCatalogEntry | undefined, max = 2): { field: string; text: string }[] {
  const params = (node.params ?? {}) as Record<string, unknown>;
  const properties = (entry?.params as { properties?: Record<string, { ui?: string; title?: string }> } | undefined)?.properties ?? {};
  const order = [...Object.keys(properties), ...Object.keys(params).filter((k) => !(k in properties))];
  const lines: { field: string; text: string }[] = [];
  for (const field of order) {
    if (lines.length >= max) break;
    const value = params[field];
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    lines.push({ field, text: shortText(value, properties[field]?.ui) });
  }
  return lines;
}

function shortText(value: unknown, hint: string | undefined): string {
  if (typeof value === 'number') {
    if (hint === 'duration') return `${value} s`;
    if (hint === 'durationMs') return `${value} ms`;
    return String(value);
  }
  if (typeof value === 'string') return clip(value.replace(/\s+/g, ' ').trim());
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    // A json-logic variable reads best as its name.
    if (keys.length === 1 && keys[0] === 'var') return `{${String((value as { var: unknown }).var)}}`;
    if (hint === 'expressionMap' || hint === 'sqlParams') return clip(keys.join(', '));
    return clip(JSON.stringify(value));
  }
  return String(value);
}

function clip(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
}
