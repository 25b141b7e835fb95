import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

export const serve: Command = {
  name: 'serve',
  summary: 'run the server: the API under /api and the web app, until Ctrl-C',
  usage: `Usage: tellflow serve [--port PORT]

Starts the Tellflow server: migrates the database, starts the scenario
runtime and the telephony simulator, and serves the API (/api) and the web
app (/). Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

On the first start with no users, it creates the user "admin" with the
password from TELLFLOW_ADMIN_PASSWORD, or prints a generated one once.

Options:
  -p, --port PORT   port to listen on (default: $PORT, else 3000; 0 = any free port)
  -h, --help        show this help

Environment:
  PORT                     port (see --port)
  HOST                     address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  DATABASE_URL             PostgreSQL to use; without it, the embedded PGlite
  TELLFLOW_DATA_DIR        where PGlite keeps its files (default ./data)
  TELLFLOW_ADMIN_PASSWORD  the first admin's password (first start only)
  TELLFLOW_SIM_RULES       a JSON file of simulator call outcome rules
  TELLFLOW_KEEP_DAYS       days finished executions are kept (default 30; "forever")
  TELLFLOW_METRICS_TOKEN   turns on GET /metrics (Prometheus) for this bearer token
  TELLFLOW_TEST_RUN_SECONDS  real time one editor test run may take (default 10)

Exit status:
  0  stopped by a signal after a clean shutdown
  1  could not start (e.g. the port is in use, the database is unreachable)
  2  bad arguments
`,
  async run(args, io) {
    const parsed = parseCommandArgs(serve, args, { port: { type: 'string', short: 'p' } }, io, { positionals: false });
    if (!parsed) return EXIT.usage;
    const raw = parsed.values.port;
    const port = raw === undefined ? undefined : Number(raw);
    if (port !== undefined && (!/^\d+$/.test(raw!) || port > 65535)) return usageError(serve, `--port must be a number from 0 to 65535, not "${raw}"`, io);
    // Loaded here, not at the top: the other verbs should not pay for the server's start-up.
    const { bootServer } = await import('@tellflow/server');
    try {
      await bootServer(process.env, {
        ...(port !== undefined ? { port } : {}),
        print: (text) => io.stdout(text),
        log: (message, fields) => io.stderr(`[tellflow] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
      });
      return EXIT.ok;
    } catch (error) {
      io.stderr(`tellflow serve: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT.failed;
    }
  },
};
