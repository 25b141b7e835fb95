/** Runs the tidy-up layout off the main thread, so a large scenario never freezes the page. */
import { type LayoutRequest, layoutGraph } from './graph.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ id: number; request: LayoutRequest }>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, request } = e.data;
  try {
    scope.postMessage({ id, positions: layoutGraph(request) });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
