/** Simulated runs on a sandbox database: `tellflow run`, `tellflow test`, and the editor's test runs and test cases. */
export { SteppingClock } from './stepping-clock.ts';
export { simulate, CLI_OPTION_NAMES, type Limits, type OptionNames, type SimulationOptions, type Stop, type StopCause } from './simulate.ts';
export { FormAnswers, type Answer } from './form-answers.ts';
export { executionReport, type ExecutionReport, type StepReport } from './report.ts';
export { publishedWithReferences, type Source } from './sources.ts';
export { runInSandbox, type SandboxRun, type SandboxRunOptions } from './sandbox-run.ts';
export { traceSteps, type TraceStep, type EffectSummary } from '../trace-steps.ts';
export {
  testRun,
  runTestCase,
  checkExpectations,
  TestRunRefused,
  SANDBOX_NOTE,
  TEST_RUN_LIMITS,
  type TestRunInput,
  type TestRunReply,
  type TestRunServices,
  type TestRunStatus,
  type TestCaseResult,
} from './test-run.ts';
export { SpareDatabase } from './spare-database.ts';
export { TestRunWorkers, type IsolatedServices } from './isolated.ts';
