import type { NodeCatalogEntry } from '@tellflow/engine';
import type { DocNode } from '../store.ts';

export interface NodeMatch {
  node: DocNode;
  /** Where the text was found, for the result list: "label", "type", "id" or the param field's name. */
  where: string;
  /** A short excerpt around the match. */
  excerpt: string;
}

const EXCERPT = 48;

/**
 * The nodes whose label, id, type (or its title) or any parameter text
 * contains `query` (case-insensitive), in document order, at most `limit`.
 */
export function searchNodes(nodes: DocNode[], catalog: Map<string, NodeCatalogEntry>, query: string, limit = 50): NodeMatch[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const found: NodeMatch[] = [];
  for (const node of nodes) {
    const match = matchNode(node, catalog.get(node.type), needle);
    if (match) found.push(match);
    if (found.length >= limit) break;
  }
  return found;
}

function matchNode(node: DocNode, entry: NodeCatalogEntry | undefined, needle: string): NodeMatch | undefined {
  const fields: [string, string | undefined][] = [
    ['label', node.label],
    ['id', node.id],
    ['type', node.type],
    ['type', entry?.title],
    ['description', node.description],
  ];
  for (const [where, text] of fields) if (text?.toLowerCase().includes(needle)) return { node, where, excerpt: excerpt(text, needle) };
  for (const [field, value] of Object.entries((node.params ?? {}) as Record<string, unknown>)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text?.toLowerCase().includes(needle)) return { node, where: field, excerpt: excerpt(text, needle) };
  }
  return undefined;
}

function excerpt(text: string, needle: string): string {
  const flat = text.replace(/\s+/g, ' ');
  const at = flat.toLowerCase().indexOf(needle);
  const start = Math.max(0, at - Math.floor((EXCERPT - needle.length) / 2));
  const part = flat.slice(start, start + EXCERPT);
  return `${start > 0 ? '…' : ''}${part}${start + EXCERPT < flat.length ? '…' : ''}`;
}
