/**
 * CodeMirror support for scenario SQL: PostgreSQL highlighting, the named
 * parameters `:name` marked, the engine's query checks as diagnostics
 * (one statement, no transaction control, every parameter given a value),
 * and completion of parameter and variable names after `:`.
 */
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { type Diagnostic, linter } from '@codemirror/lint';
import { EditorState, type Extension, RangeSetBuilder } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, ViewPlugin, type ViewUpdate } from '@codemirror/view';
import { findPlaceholders, sqlStatementProblem } from '@tellflow/engine';
import type { KnownVariable } from '../properties/variables.ts';

export interface SqlContext {
  /** The query's parameter values (the sibling `params` field). */
  params: Record<string, unknown> | undefined;
  variables: KnownVariable[];
}

const placeholderMark = Decoration.mark({ class: 'cm-sql-placeholder' });

function placeholderDecorations(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const p of findPlaceholders(view.state.doc.toString())) builder.add(p.start, p.end, placeholderMark);
  return builder.finish();
}

const highlightPlaceholders = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = placeholderDecorations(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged) this.decorations = placeholderDecorations(u.view);
    }
  },
  { decorations: (v) => v.decorations },
);

const placeholderTheme = EditorView.theme({
  '.cm-sql-placeholder': {
    color: 'var(--mantine-color-violet-9)',
    backgroundColor: 'var(--mantine-color-violet-0)',
    borderRadius: '3px',
    fontWeight: '600',
  },
});

export function sqlDiagnostics(text: string, ctx: SqlContext): Diagnostic[] {
  if (!/\S/.test(text)) return [];
  const out: Diagnostic[] = [];
  const statement = sqlStatementProblem(text);
  if (statement) out.push({ from: 0, to: text.length, severity: 'error', message: statement });
  for (const p of findPlaceholders(text)) {
    if (!ctx.params || !Object.hasOwn(ctx.params, p.name))
      out.push({ from: p.start, to: p.end, severity: 'error', message: `parameter :${p.name} is used in the query but has no value in "params"` });
  }
  return out;
}

function completeParameters(getContext: () => SqlContext) {
  return (context: CompletionContext): CompletionResult | null => {
    const typed = context.matchBefore(/(?<![:\w]):[A-Za-z_]?\w*$/);
    if (!typed) return null;
    const { params, variables } = getContext();
    const names = new Map<string, string>();
    for (const name of Object.keys(params ?? {})) names.set(name, 'parameter');
    for (const v of variables) if (!names.has(v.name)) names.set(v.name, `variable, ${v.source}`);
    return {
      from: typed.from + 1,
      options: [...names].map(([label, detail]) => ({ label, detail, type: 'variable' })),
      validFor: /^\w*$/,
    };
  };
}

export function sqlExtensions(getContext: () => SqlContext): Extension[] {
  return [
    sql({ dialect: PostgreSQL }),
    highlightPlaceholders,
    placeholderTheme,
    EditorState.languageData.of(() => [{ autocomplete: completeParameters(getContext) }]),
    autocompletion({ icons: false }),
    linter((view) => sqlDiagnostics(view.state.doc.toString(), getContext()), { delay: 250 }),
  ];
}
