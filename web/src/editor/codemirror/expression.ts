/**
 * CodeMirror support for json-logic expression fields: JSON highlighting,
 * diagnostics from the engine as you type (JSON syntax, unknown operations
 * via `inspect`, variables nothing declares or sets), and completion of
 * variable names inside `{"var": "…"}`.
 */
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { json } from '@codemirror/lang-json';
import { type Diagnostic, linter } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';
import { inspect, type Json } from '@tellflow/engine';
import type { KnownVariable } from '../properties/variables.ts';
import { parseExpressionText } from './expression-text.ts';
import { locate, varReferences } from './json-tree.ts';

export interface ExpressionContext {
  variables: KnownVariable[];
  /** Whether the value must be JSON (a literal JSON field), not an expression or bare literal. */
  jsonOnly?: boolean;
}

export function expressionDiagnostics(text: string, ctx: ExpressionContext): Diagnostic[] {
  const parsed = parseExpressionText(text);
  if (!parsed.ok) {
    const at = Math.min(parsed.offset, Math.max(text.length - 1, 0));
    return [{ from: at, to: Math.min(at + 1, text.length), severity: 'error', message: parsed.message }];
  }
  if (ctx.jsonOnly || parsed.value === null || typeof parsed.value !== 'object') return [];
  const { variables, problems } = inspect(parsed.value as Json);
  const out: Diagnostic[] = problems.map((p) => ({ ...locate(text, p.path), severity: 'error', message: p.message }));
  const known = new Set(ctx.variables.map((v) => v.name));
  const unknown = new Set(variables.filter((name) => !known.has(name)));
  for (const ref of varReferences(text)) {
    const root = ref.name.split('.')[0]!;
    if (unknown.has(root)) out.push({ ...ref.range, severity: 'warning', message: `reads variable "${root}", which is not declared and no node sets it` });
  }
  return out;
}

function completeVariables(getContext: () => ExpressionContext) {
  return (context: CompletionContext): CompletionResult | null => {
    const { variables } = getContext();
    const inVar = context.matchBefore(/"var"\s*:\s*\[?\s*"[^"]*/);
    if (inVar) {
      return {
        from: inVar.from + inVar.text.lastIndexOf('"') + 1,
        options: variables.map((v) => ({ label: v.name, detail: v.source, type: 'variable' })),
        validFor: /^[\w.$]*$/,
      };
    }
    // Asked for (Ctrl-Space) on a bare word: offer variable references.
    const word = context.matchBefore(/^\s*[\w.$]*$/);
    if (word && context.explicit && context.state.doc.toString().trim() === word.text.trim()) {
      return {
        from: word.from,
        options: variables.map((v) => ({ label: `{"var": "${v.name}"}`, detail: v.source, type: 'variable' })),
      };
    }
    return null;
  };
}

/** The extensions of an expression (or, with `jsonOnly`, a JSON value) field; `getContext` is read at each check. */
export function expressionExtensions(getContext: () => ExpressionContext): Extension[] {
  return [
    json(),
    linter((view) => expressionDiagnostics(view.state.doc.toString(), getContext()), { delay: 250 }),
    autocompletion({ override: [completeVariables(getContext)], icons: false }),
  ];
}
