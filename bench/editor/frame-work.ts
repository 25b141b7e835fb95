/**
 * Main-thread work per animation frame, read from a Chromium trace. Headless
 * Chromium draws at most 60 frames a second whatever its flags, so the time
 * between frames cannot show a frame that needs 5 ms or 15 ms: this sums the
 * renderer main thread's tasks inside each frame (Chrome's `AnimationFrame`
 * span, from the frame's first task to its rendering) instead.
 */

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  id2?: { local?: string };
  args?: { name?: string; data?: { type?: string } };
}

/** The busy ms of every frame on the page's main thread that dispatched one of `eventTypes`. */
export function frameWork(trace: Buffer, eventTypes: string[]): number[] {
  const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const inputs = events.filter((e) => e.name === 'EventDispatch' && eventTypes.includes(e.args?.data?.type ?? ''));
  if (inputs.length === 0) return [];
  // The page's renderer main thread is the one that handled the input.
  const { pid, tid } = inputs[0]!;
  const own = events.filter((e) => e.pid === pid && e.tid === tid).sort((a, b) => a.ts - b.ts);
  const tasks = own.filter((e) => e.name === 'RunTask' && e.ph === 'X');
  const begun = new Map<string, number>();
  const work: number[] = [];
  for (const e of own) {
    if (e.name !== 'AnimationFrame' || (e.ph !== 'b' && e.ph !== 'e')) continue;
    const id = e.id ?? e.id2?.local ?? '';
    if (e.ph === 'b') {
      begun.set(id, e.ts);
      continue;
    }
    const start = begun.get(id);
    begun.delete(id);
    if (start === undefined || !inputs.some((i) => i.ts >= start && i.ts < e.ts)) continue;
    let busy = 0;
    for (const t of tasks) busy += Math.max(0, Math.min(t.ts + (t.dur ?? 0), e.ts) - Math.max(t.ts, start));
    work.push(busy / 1000);
  }
  return work;
}
