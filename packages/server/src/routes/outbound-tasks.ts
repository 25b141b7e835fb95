/**
 * `/api/outbound-tasks` (domain.md §1): every outgoing call is made through
 * a task — its subscriber list, its dialog, routing and operator-calling
 * scenarios, the operators who work it and its calling hours. Admin and
 * supervisor read, start and stop; only admin creates, changes and imports
 * subscribers. Every signed-in user reads a subscriber's call history (the
 * operator's card shows the previous calls).
 *
 * Importing subscribers: the request body is the CSV file itself. It is
 * written to a temporary file as it arrives (at most `maxImportBytes`) and
 * then streamed into `importSubscribers`: the import's transaction is not
 * held open while a slow client uploads (on PGlite a transaction stops every
 * other query), and the file is never held in memory whole.
 */
import { createReadStream } from 'node:fs';
import {
  CallHistory,
  ImportQuery,
  ImportRejected,
  ImportResult,
  OneOutboundTask,
  OutboundTaskInput,
  OutboundTaskList,
  OutboundTaskParams,
  OutboundTaskPatch,
  OutboundTaskWithProgress,
  StartedOutboundTask,
  StatsQuery,
  SubscriberParams,
  TaskCallStats,
} from '@tellflow/api';
import {
  columnNamed,
  importSubscribers,
  RuntimeError,
  SUBSCRIBER_COLUMNS,
  TASK_SCENARIO_DEFAULTS,
  type OutboundTask,
  type SubscriberSource,
} from '@tellflow/runtime';
import type { Deps } from '../context.ts';
import { badRequest, conflict, notFound, unsupportedMediaType } from '../errors.ts';
import { spoolToFile } from '../http/raw-body.ts';
import { routeGroup } from '../http/route-group.ts';
import { mustNameScenarios } from '../scenario-refs.ts';

const STAFF = ['admin', 'supervisor'] as const;
const ADMIN = ['admin'] as const;

/** Spreadsheet programs and browsers label CSV files with any of these. */
export const CSV_MEDIA_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel', 'application/octet-stream'] as const;

const SCENARIO_FIELDS = ['dialogScenarioId', 'routingScenarioId', 'operatorCallScenarioId'] as const;

export function outboundTaskRoutes({ runtime, db, options }: Deps) {
  const tasks = runtime.outboundTasks;
  const api = routeGroup('/api/outbound-tasks', 'outbound tasks');

  api.get('/', { summary: 'List outbound tasks', access: STAFF, response: OutboundTaskList }, async (c) => c.json({ tasks: await tasks.list() }));

  api.post(
    '/',
    {
      summary: 'Create an outbound task (stopped)',
      access: ADMIN,
      body: OutboundTaskInput,
      response: OneOutboundTask,
      status: 201,
      errors: [409],
      idempotent: true,
    },
    async (c, { body }) => {
      await mustNameScenarios(runtime, scenarioRefs({ ...TASK_SCENARIO_DEFAULTS, ...body }));
      return c.json({ task: await tasks.create(body) }, 201);
    },
  );

  api.get(
    '/:id',
    {
      summary: 'An outbound task with its progress (subscribers by status)',
      access: STAFF,
      params: OutboundTaskParams,
      response: OutboundTaskWithProgress,
      errors: [404],
    },
    async (c, { params }) =>
      c.json({ task: await tasks.get(params.id), progress: await tasks.progress(params.id), readiness: await tasks.readiness(params.id) }),
  );

  api.get(
    '/:id/stats',
    {
      summary: "How the task's calls ended: customers and operators, talk time, per operator",
      access: STAFF,
      params: OutboundTaskParams,
      query: StatsQuery,
      response: TaskCallStats,
      errors: [404],
    },
    async (c, { params, query }) =>
      c.json(await tasks.callStats(params.id, { ...(query.from ? { from: new Date(query.from) } : {}), ...(query.to ? { to: new Date(query.to) } : {}) })),
  );

  api.patch(
    '/:id',
    { summary: 'Change an outbound task', access: ADMIN, params: OutboundTaskParams, body: OutboundTaskPatch, response: OneOutboundTask, errors: [404] },
    async (c, { params, body }) => {
      await tasks.get(params.id);
      await mustNameScenarios(runtime, scenarioRefs(body));
      return c.json({ task: await tasks.update(params.id, body) });
    },
  );

  api.post(
    '/:id/start',
    {
      summary: 'Start dialing: each available operator of the task gets the next new subscriber, within the calling hours; due callbacks are made',
      description:
        "Enables the callback monitor service task. 409 when one of the task's scenarios does not exist or has no published version. Starting a running task changes nothing. `readiness` says whether it calls now, and why not.",
      access: STAFF,
      params: OutboundTaskParams,
      response: StartedOutboundTask,
      errors: [404, 409],
    },
    async (c, { params }) => {
      await mustBePublished(await tasks.get(params.id));
      const task = await tasks.setState(params.id, 'running');
      return c.json({ task, readiness: await tasks.readiness(params.id) });
    },
  );

  api.post(
    '/:id/stop',
    { summary: 'Stop dialing new subscribers; calls in progress finish', access: STAFF, params: OutboundTaskParams, response: OneOutboundTask, errors: [404] },
    async (c, { params }) => c.json({ task: await tasks.setState(params.id, 'stopped') }),
  );

  api.post(
    '/:id/subscribers',
    {
      summary: 'Import subscribers from a CSV file (the request body)',
      description:
        'The file needs a header row; `tel` (or phone, telephone, number) is required. 200: every row was imported. ' +
        '422: rows were rejected (`errors` names each line and column); in all-or-nothing mode nothing was imported, with skip-bad-rows the good rows were. ' +
        '400: the file cannot be read as a subscriber list at all (the message names the line); nothing was imported. ' +
        'The text is UTF-8 (or UTF-16 with a byte-order mark) unless the Content-Type names another charset, e.g. `text/csv; charset=windows-1251`.',
      access: ADMIN,
      params: OutboundTaskParams,
      query: ImportQuery,
      rawBody: { mediaTypes: CSV_MEDIA_TYPES, maxBytes: options.maxImportBytes, description: 'The CSV file.' },
      response: ImportResult,
      responses: {
        422: {
          description: 'Rows were rejected: `error` says what was imported, `errors` which rows failed',
          schema: ImportRejected,
        },
      },
      errors: [404],
      idempotent: true,
    },
    async (c, { params, query, raw }) => {
      // Before the upload is read: an unknown column, task or charset fails at once.
      const mapping = query.map ? mappingOf(query.map) : undefined;
      await tasks.get(params.id);
      const decode = decoderFor(raw!.charset);
      const mode = query.mode ?? 'all-or-nothing';
      const file = await spoolToFile(raw!.chunks, 'tellflow-subscribers-');
      try {
        const result = await importSubscribers(db, {
          taskId: params.id,
          source: decode(createReadStream(file.path)),
          mode,
          ...(query.delimiter ? { delimiter: query.delimiter === 'tab' ? '\t' : query.delimiter } : {}),
          ...(mapping ? { mapping } : {}),
        });
        if (result.skipped === 0) return c.json(result);
        const error =
          mode === 'all-or-nothing'
            ? `${result.skipped} of ${result.rows} rows have errors: nothing was imported`
            : `${result.skipped} of ${result.rows} rows have errors and were skipped; ${result.imported} were imported`;
        return c.json({ error, ...result }, 422);
      } finally {
        await file.remove();
      }
    },
  );

  api.get(
    '/:id/subscribers/:subscriberId/calls',
    {
      summary: "The calls made for a subscriber of the task, oldest first (the operator's card)",
      access: 'signedIn',
      params: SubscriberParams,
      response: CallHistory,
      errors: [404],
    },
    async (c, { params }) => {
      await tasks.get(params.id);
      const { rows } = await db.query('select 1 from table_out_call where "Id" = $1 and task_id = $2', [params.subscriberId, params.id]);
      if (!rows[0]) throw notFound(`subscriber ${params.subscriberId} of outbound task "${params.id}"`);
      return c.json({ calls: await runtime.callHistory(params.subscriberId, params.id) });
    },
  );

  /** The scenarios a running task starts must exist and be published. */
  async function mustBePublished(task: OutboundTask): Promise<void> {
    const issues: { path: string; message: string }[] = [];
    for (const field of SCENARIO_FIELDS) {
      try {
        await runtime.scenarios.published(task[field]);
      } catch (e) {
        if (!(e instanceof RuntimeError) || (e.status !== 404 && e.status !== 409)) throw e;
        issues.push({
          path: field,
          message: e.status === 404 ? `there is no scenario "${task[field]}"` : `scenario "${task[field]}" has no published version`,
        });
      }
    }
    if (issues.length) throw conflict(`outbound task "${task.id}" cannot start: ${issues.map((i) => i.message).join('; ')}`, { issues });
  }

  return api.group;
}

const scenarioRefs = (body: Partial<Record<(typeof SCENARIO_FIELDS)[number], string>>) => Object.fromEntries(SCENARIO_FIELDS.map((f) => [f, body[f]]));

/**
 * `["Контакт:tel", "Extra:"]` → `{ Контакт: 'tel', Extra: null }`. The query
 * schema checked the `header:column` form; a column that is no subscriber
 * column makes a bad query too (the same 400 as a schema failure).
 */
function mappingOf(entries: string[]): Record<string, string | null> {
  const mapping: Record<string, string | null> = {};
  const issues: { path: string; message: string }[] = [];
  entries.forEach((entry, i) => {
    const at = entry.lastIndexOf(':');
    const column = entry.slice(at + 1).trim();
    const ignored = column === '' || column === 'null';
    if (!ignored && !columnNamed(column))
      issues.push({ path: `map[${i}]`, message: `"${column}" is not a subscriber column (the columns: ${SUBSCRIBER_COLUMNS.join(', ')})` });
    mapping[entry.slice(0, at)] = ignored ? null : column;
  });
  if (issues.length) throw badRequest('the request query is not valid', { issues });
  return mapping;
}

/**
 * The file as importSubscribers takes it. UTF-8 and UTF-16 with a BOM it
 * decodes itself (naming the line of bad bytes); another declared charset
 * (windows-1251 from an older Excel) is decoded here.
 */
function decoderFor(charset: string | undefined): (bytes: AsyncIterable<Uint8Array>) => SubscriberSource {
  if (!charset) return (bytes) => bytes;
  let encoding: string;
  try {
    encoding = new TextDecoder(charset).encoding;
  } catch {
    throw unsupportedMediaType(`unknown charset "${charset}"`);
  }
  if (encoding === 'utf-8') return (bytes) => bytes;
  return (bytes) =>
    (async function* () {
      const decoder = new TextDecoder(encoding, { fatal: true });
      let line = 1;
      const decode = (chunk?: Uint8Array) => {
        try {
          const text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
          for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
          return text;
        } catch {
          throw badRequest(`line ${line}: the file is not ${encoding} text`, { errors: [{ line, message: `the file is not ${encoding} text` }] });
        }
      };
      for await (const chunk of bytes) {
        const text = decode(chunk);
        if (text) yield text;
      }
      const rest = decode();
      if (rest) yield rest;
    })();
}
