/**
 * Positions inside JSON text, from the Lezer JSON parser that CodeMirror's
 * JSON language uses: where a json-logic path (`['and', 1, '<']`) or a
 * `{"var": …}` name sits, so diagnostics underline the right words.
 */
import { jsonLanguage } from '@codemirror/lang-json';

/** The part of Lezer's syntax node used here (its package is CodeMirror's, not a dependency of the app). */
interface SyntaxNode {
  name: string;
  from: number;
  to: number;
  firstChild: SyntaxNode | null;
  nextSibling: SyntaxNode | null;
  getChild(name: string): SyntaxNode | null;
}

const VALUES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

export interface Range {
  from: number;
  to: number;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const valueNode = (node: SyntaxNode | null): SyntaxNode | null => (node ? (children(node).find((c) => VALUES.has(c.name)) ?? null) : null);

function rootValue(text: string): SyntaxNode | null {
  return valueNode(jsonLanguage.parser.parse(text).topNode as unknown as SyntaxNode);
}

/** The range of the value at `path` in the JSON `text`, or of the deepest part of it that exists. */
export function locate(text: string, path: readonly (string | number)[]): Range {
  let node = rootValue(text);
  if (!node) return { from: 0, to: text.length };
  for (const key of path) {
    let next: SyntaxNode | null = null;
    if (node.name === 'Object' && typeof key === 'string') {
      const property: SyntaxNode | undefined = children(node).find((p) => p.name === 'Property' && propertyName(text, p) === key);
      next = property ? (valueNode(property) ?? property) : null;
    } else if (node.name === 'Array' && typeof key === 'number') {
      next = children(node).filter((c) => VALUES.has(c.name))[key] ?? null;
    } else if (key === 0) continue; // json-logic's single argument written without a list
    if (!next) break;
    node = next;
  }
  return { from: node.from, to: node.to };
}

function propertyName(text: string, property: SyntaxNode): string | undefined {
  const name = property.getChild('PropertyName');
  if (!name) return undefined;
  try {
    return JSON.parse(text.slice(name.from, name.to)) as string;
  } catch {
    return undefined;
  }
}

/** Every `{"var": "name"}` (or `{"var": ["name", default]}`) in the text, with the range of its name. */
export function varReferences(text: string): { name: string; range: Range }[] {
  const out: { name: string; range: Range }[] = [];
  const root = rootValue(text);
  const visit = (node: SyntaxNode) => {
    if (node.name === 'Property' && propertyName(text, node) === 'var') {
      let value = valueNode(node);
      if (value?.name === 'Array') value = children(value).find((c) => VALUES.has(c.name)) ?? null;
      if (value?.name === 'String') {
        try {
          out.push({ name: JSON.parse(text.slice(value.from, value.to)) as string, range: { from: value.from, to: value.to } });
        } catch {
          // An unfinished string: nothing to check yet.
        }
      }
    }
    for (const c of children(node)) visit(c);
  };
  if (root) visit(root);
  return out;
}
