/**
 * The page's entry: starts the requests the first screen needs (and the
 * editor's code, on an editor address) before the app itself loads, so they
 * run in parallel instead of one after the other.
 */
import { editorScenarioId, prefetchFor } from './shared/prefetch.ts';

prefetchFor(location.pathname);
// The app first: its style sheets must come before the editor's in the page, as they do when the editor loads later.
void import('./main.tsx');
if (editorScenarioId(location.pathname)) void import('./editor/EditorPage.tsx');
