/**
 * A CodeMirror 6 editor as a controlled-enough React field: it owns its text
 * while the user types, and takes the outside text only when that means a
 * different value (undo, another panel's edit). The content carries an
 * aria-label, so screen readers and tests find it by name.
 */
import { forceLinting } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, placeholder as placeholderText } from '@codemirror/view';
import { minimalSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import classes from './codemirror.module.css';

export interface CodeFieldProps {
  /** The accessible name of the editor. */
  label: string;
  text: string;
  onText(text: string): void;
  /** The language, linter and completion; read once, when the editor is made. */
  extensions: Extension[];
  /** Whether two texts are the same value (default: equal strings). */
  same?: (a: string, b: string) => boolean;
  /** Changing it re-runs the linter (its context changed, e.g. the known variables). */
  lintKey?: unknown;
  placeholder?: string;
  invalid?: boolean;
  readOnly?: boolean;
  /** Tall editors (SQL) start at this many lines. */
  minLines?: number;
}

export function CodeField({ label, text, onText, extensions, same, lintKey, placeholder, invalid, readOnly, minLines = 1 }: CodeFieldProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onTextRef = useRef(onText);
  onTextRef.current = onText;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is made once; later text arrives through the effect below.
  useEffect(() => {
    const made = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: text,
        extensions: [
          minimalSetup,
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorState.readOnly.of(readOnly ?? false),
          EditorView.editable.of(!readOnly),
          placeholder ? placeholderText(placeholder) : [],
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onTextRef.current(u.state.doc.toString());
          }),
          ...extensions,
        ],
      }),
    });
    view.current = made;
    return () => {
      made.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current === text || (same ?? Object.is)(current, text)) return;
    v.dispatch({ changes: { from: 0, to: current.length, insert: text } });
  }, [text, same]);

  useEffect(() => {
    if (view.current && lintKey !== undefined) forceLinting(view.current);
  }, [lintKey]);

  return (
    <div
      ref={host}
      className={classes.field}
      data-invalid={invalid || undefined}
      style={{ '--code-min-height': `${minLines * 20 + 10}px` } as React.CSSProperties}
    />
  );
}
