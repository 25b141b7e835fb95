import { API_KEY_SCOPES, type ApiKey, ApiKeyParams, CreateApiKey } from '@tellflow/api';
import { RuntimeError } from '@tellflow/runtime';
import { createApiKey, listApiKeys, revokeApiKey } from '@tellflow/server';
import { openProductDatabase } from '../databases.ts';
import type { Io } from '../io.ts';
import { table } from '../management.ts';
import { getFromServer, runningServer } from '../running-server.ts';
import { EXIT, parseCommandArgs, usageError, type Command } from './command.ts';

const HEADER = ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'REVOKED'];
const row = (k: ApiKey) => [k.id, k.name, k.prefix, k.scopes.join(','), k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? ''];

export const apiKeys: Command = {
  name: 'api-keys',
  summary: 'create, list and revoke the API keys that mint customer tokens',
  usage: `Usage: tellflow api-keys create NAME [--scope customer-tokens]
       tellflow api-keys list
       tellflow api-keys revoke ID

An API key lets an integrator's backend mint short-lived customer tokens
(POST /api/customer-tokens with "Authorization: Bearer tfk_…"), which its web
or app clients use to call the customer routes. create prints the key once:
only its SHA-256 is stored, so keep it somewhere safe (a lost key is revoked
and replaced). list shows each key's first characters, never the key.
revoke stops the key at once; customer tokens it minted are refused at once
by a server that revoked it, and by the others within their refresh interval
(5 s by default).

Scopes: ${API_KEY_SCOPES.join(', ')} (the default).

While "tellflow serve" runs on the embedded database, list asks it; create and
revoke are refused (use the API as an admin, or stop it).
`,
  async run(args, io) {
    const parsed = parseCommandArgs(this, args, { scope: { type: 'string', multiple: true } }, io);
    if (!parsed) return EXIT.usage;
    const [action, arg, extra] = parsed.positionals;
    if (extra !== undefined) return usageError(this, `unexpected argument "${extra}"`, io);
    switch (action) {
      case 'create': {
        const input = CreateApiKey.safeParse({ name: arg ?? '', ...(parsed.values.scope ? { scopes: parsed.values.scope } : {}) });
        if (!input.success) {
          const issue = input.error.issues[0]!;
          return usageError(this, `${issue.path.join('.') || 'input'}: ${issue.message}`, io);
        }
        return withDatabase(io, this.name, async (db) => {
          const { apiKey, secret } = await createApiKey(db, { name: input.data.name, scopes: input.data.scopes, createdBy: null, now: new Date() });
          io.stdout(`${table([HEADER, row(apiKey)])}\nThe key (shown only now, keep it secret):\n${secret}\n`);
          return EXIT.ok;
        });
      }
      case 'list': {
        const server = runningServer();
        let keys: ApiKey[] | undefined;
        try {
          keys = server
            ? (await getFromServer(server, 'GET /api/api-keys', '/api/api-keys')).apiKeys
            : await withDatabaseValue(io, this.name, (db) => listApiKeys(db));
        } catch (e) {
          if (!(e instanceof RuntimeError)) throw e;
          io.stderr(`tellflow ${this.name}: ${e.message}\n`);
          return EXIT.failed;
        }
        if (keys === undefined) return EXIT.usage;
        io.stdout(keys.length ? table([HEADER, ...keys.map(row)]) : 'no API keys\n');
        return EXIT.ok;
      }
      case 'revoke': {
        if (!ApiKeyParams.safeParse({ id: arg }).success)
          return usageError(this, arg ? `"${arg}" is not an API key id (see tellflow api-keys list)` : 'revoke needs an id', io);
        return withDatabase(io, this.name, async (db) => {
          const revoked = await revokeApiKey(db, arg!, new Date());
          if (!revoked) {
            io.stderr(`tellflow ${this.name}: API key "${arg}" not found\n`);
            return EXIT.failed;
          }
          io.stdout(table([HEADER, row(revoked)]));
          return EXIT.ok;
        });
      }
      default:
        return usageError(this, action ? `unknown action "${action}"` : 'say what to do: create, list or revoke', io);
    }
  },
};

type Db = Extract<Awaited<ReturnType<typeof openProductDatabase>>, { ok: true }>['db'];

async function withDatabase(io: Io, verb: string, fn: (db: Db) => Promise<number>): Promise<number> {
  return (await withDatabaseValue(io, verb, fn)) ?? EXIT.usage;
}

/** `fn` on the product database; undefined (with the reason on stderr) when it cannot be opened. */
async function withDatabaseValue<T>(io: Io, verb: string, fn: (db: Db) => Promise<T>): Promise<T | undefined> {
  const opened = await openProductDatabase();
  if (!opened.ok) {
    io.stderr(`tellflow ${verb}: ${opened.error}\n`);
    return undefined;
  }
  try {
    return await fn(opened.db);
  } finally {
    await opened.db.close();
  }
}
