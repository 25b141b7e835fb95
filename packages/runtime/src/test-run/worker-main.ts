/**
 * Inside a test-run worker thread: runs the jobs the pool sends, one at a
 * time, each on a scratch database of this thread (one kept spare), and
 * answers with the reply, the refusal, or the error.
 */
import { parentPort } from 'node:worker_threads';
import { createScratchDatabase } from '@tellflow/db';
import type { WorkerAnswer, WorkerJob } from './isolated.ts';
import { SpareDatabase } from './spare-database.ts';
import { runTestCase, testRun, TestRunRefused, type TestCaseResult, type TestRunReply, type TestRunServices } from './test-run.ts';

const spare = new SpareDatabase(() => createScratchDatabase());
// The first run should not wait for its database: the thread is new because a run is coming.
spare.prepare();

async function perform(id: number, job: WorkerJob): Promise<TestRunReply | TestCaseResult> {
  const db = await spare.take();
  // The pool's clock for this run starts now, not while the thread was loading or the database opening.
  parentPort!.postMessage({ id, started: true } satisfies WorkerAnswer);
  const services: TestRunServices = {
    alongside: job.sources,
    openDatabase: async () => db,
    startAt: job.startAt,
    wall: { now: () => Date.now(), limitMs: job.wallMs },
  };
  return job.kind === 'run' ? testRun(job.scenario, job.doc, job.request, services) : runTestCase(job.scenario, job.doc, job.test, services);
}

parentPort!.on('message', async ({ id, job }: { id: number; job: WorkerJob }) => {
  let answer: WorkerAnswer;
  try {
    answer = { id, ok: true, value: await perform(id, job) };
  } catch (error) {
    answer =
      error instanceof TestRunRefused
        ? { id, ok: false, refused: { status: error.status, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } }
        : { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(answer);
});
