/**
 * CodeField with CodeMirror loaded on first use: CodeMirror is a third of the
 * editor's code and no field needs it until a node is selected, so opening
 * a scenario does not wait for it. The editor page preloads it when idle.
 */
import { lazy, Suspense } from 'react';
import classes from './codemirror.module.css';
import type { LoadedCodeFieldProps } from './kit.tsx';

let kit: Promise<typeof import('./kit.tsx')> | undefined;
const loadKit = () => (kit ??= import('./kit.tsx'));

const Loaded = lazy(() => loadKit().then((k) => ({ default: k.LoadedCodeField })));

export function CodeField(props: LoadedCodeFieldProps) {
  const minHeight = `${(props.minLines ?? 1) * 20 + 10}px`;
  return (
    <Suspense fallback={<div className={classes.field} style={{ minHeight }} aria-busy="true" />}>
      <Loaded {...props} />
    </Suspense>
  );
}

/** Loads CodeMirror in the background once the page is idle, so the first field a user opens appears at once. */
export function preloadCodeMirror(): () => void {
  const handle = requestIdleCallback(() => void loadKit());
  return () => cancelIdleCallback(handle);
}
