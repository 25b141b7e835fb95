/**
 * Test runs from the editor: `POST /api/scenarios/test-run` runs a scenario
 * document (the unsaved draft) on a throwaway database with the telephony
 * simulator and simulated time; `POST /api/scenarios/{id}/tests/run` runs a
 * version's test cases. Admin and supervisor, as reading scenarios: a run
 * changes nothing real. Each run costs a database of its own and some CPU,
 * so a per-process gate bounds how many run at once, and a run stops at its
 * step, simulated-time and real-time limits.
 */
import { TestCasesRunBody, TestCasesRunReply, TestRunBody, TestRunReply } from '@tellflow/api';
import { validateScenario, type Scenario, type ScenarioTest } from '@tellflow/engine';
import { runTestCase, testRun, TestRunRefused, TestRunWorkers, type TestRunInput, type TestRunServices } from '@tellflow/runtime/test-run';
import { ScenarioParams } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { ApiError, unprocessable } from '../errors.ts';
import { ConcurrencyGate } from '../http/gate.ts';
import { routeGroup } from '../http/route-group.ts';

const READ = ['admin', 'supervisor'] as const;

/** One per process: two runs at once (a scratch database each, tens of MB), four waiting, the rest told to try again. */
export const DEFAULT_TEST_RUN_GATE = new ConcurrencyGate(2, 4, 'the server is busy with other test runs; try again in a moment');

/** One pool per process, as many workers as the gate lets runs through; a worker starts on the first run. */
export const DEFAULT_TEST_RUN_WORKERS = new TestRunWorkers(2);

export function testRunRoutes({ runtime, clock, options }: Deps) {
  const api = routeGroup('/api/scenarios', 'scenarios');

  const workers = options.testRunWorkers;
  const isolated = () => ({ store: runtime.scenarios, startAt: clock.now(), wallMs: options.testRunWallMs });
  const services = (): TestRunServices => ({
    store: runtime.scenarios,
    openDatabase: options.testRunSandbox,
    startAt: clock.now(),
    wall: { now: options.testRunWallClock, limitMs: options.testRunWallMs },
  });

  /** Refusals as the API's errors: 400 for a bad sim/answers/setupSql/input, 422 naming the scenario's problems. */
  async function refusalsAsErrors<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof TestRunRefused)) throw error;
      throw new ApiError(error.status, error.message, error.issues ? { issues: error.issues } : undefined);
    }
  }

  api.post(
    '/test-run',
    {
      summary: 'Run a scenario document (e.g. the unsaved draft) in a sandbox and return its timeline',
      description:
        'The scenario runs on a throwaway in-memory database (made ready by `setupSql`) with the telephony simulator and a simulated clock: nothing real is read or changed, except that the scenarios it runs are taken published from this server. ' +
        'A form without an answer stops the run with status `needsAnswer` and `pendingForm`: run again with the answer under its node id. ' +
        'Runs are deterministic given input, sim and answers. 422 with the issues when the document has errors; 503 when too many runs are going.',
      access: READ,
      body: TestRunBody,
      response: TestRunReply,
      errors: [422, 503],
    },
    async (c, { body }) => {
      const { scenario: doc, ...request } = body;
      const checked = validateScenario(doc);
      if (!checked.ok || !checked.scenario) throw unprocessable('the scenario has errors', { issues: checked.issues });
      const scenario = checked.scenario;
      const run = () =>
        workers ? workers.run(scenario, doc, request as TestRunInput, isolated()) : testRun(scenario, doc, request as TestRunInput, services());
      return c.json(await options.testRunGate.run(() => refusalsAsErrors(run)));
    },
  );

  api.post(
    '/:id/tests/run',
    {
      summary: "Run a version's test cases",
      description:
        'Default: the latest version (the current draft). Each case runs as POST /api/scenarios/test-run would run it, then its expectations are checked.',
      access: READ,
      params: ScenarioParams,
      body: TestCasesRunBody,
      response: TestCasesRunReply,
      errors: [404, 503],
    },
    async (c, { params, body }) => {
      const { document, version } = await runtime.scenarios.version(params.id, body.version);
      const tests = [];
      const scenario = document as Scenario;
      const runCase = (test: ScenarioTest) =>
        workers ? workers.runCase(scenario, document, test, isolated()) : runTestCase(scenario, document, test, services());
      for (const test of document.tests ?? []) tests.push(await options.testRunGate.run(() => runCase(test)));
      const passed = tests.filter((t) => t.passed).length;
      return c.json({ scenarioId: params.id, version, passed, failed: tests.length - passed, tests });
    },
  );

  return api.group;
}
