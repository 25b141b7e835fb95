/** Validates documents off the main thread, so opening or editing a large scenario never waits for the engine. */
import { validateScenario } from '@tellflow/engine';

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ id: number; doc: unknown }>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, doc } = e.data;
  scope.postMessage({ id, issues: validateScenario(doc).issues });
};
