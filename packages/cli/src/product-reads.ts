/**
 * What the read-only verbs read, from wherever it is: the product database
 * itself, or, while a server holds the embedded one, that server's API
 * (running-server.ts). Both give the same values (the API's schemas decode
 * to the stores' types), so a verb prints the same either way.
 */
import type { AgentStore, ExecutionStore, OutboundTaskStore, QueueStore, ScenarioStore, ServiceTaskStore, SubscriberStore } from '@tellflow/runtime';
import { getFromServer, getTextFromServer, queryString, type RunningServer } from './running-server.ts';

export interface ProductReads {
  executions: Pick<ExecutionStore, 'list' | 'get' | 'hiddenIdle'>;
  outboundTasks: Pick<OutboundTaskStore, 'list' | 'progress' | 'readiness' | 'callStats'>;
  agents: Pick<AgentStore, 'list'>;
  queues: Pick<QueueStore, 'list' | 'get' | 'status' | 'waiting' | 'events'>;
  /** The query as the API takes it (the store parses it the same way). */
  subscribers: { list(query: Record<string, string | number | undefined>): ReturnType<SubscriberStore['list']> };
  serviceTasks: Pick<ServiceTaskStore, 'list' | 'runs'>;
  scenarios: Pick<ScenarioStore, 'get' | 'version'>;
}

const enc = encodeURIComponent;

export function serverReads(server: RunningServer): ProductReads {
  return {
    executions: {
      list: async (filter = {}) => {
        const { before, since, ...rest } = filter;
        const query = queryString({ ...rest, before: before?.toISOString(), since: since?.toISOString() });
        return (await getFromServer(server, 'GET /api/executions', `/api/executions${query}`)).executions;
      },
      hiddenIdle: async (filter = {}) => {
        const { before, since, ...rest } = filter;
        const query = queryString({ ...rest, before: before?.toISOString(), since: since?.toISOString(), idle: 'hide', limit: 1 });
        return (await getFromServer(server, 'GET /api/executions', `/api/executions${query}`)).idleHidden;
      },
      get: (id) => getFromServer(server, 'GET /api/executions/{id}', `/api/executions/${enc(id)}`),
    },
    outboundTasks: {
      list: async () => (await getFromServer(server, 'GET /api/outbound-tasks', '/api/outbound-tasks')).tasks,
      progress: async (id) => (await getFromServer(server, 'GET /api/outbound-tasks/{id}', `/api/outbound-tasks/${enc(id)}`)).progress,
      readiness: async (id) => (await getFromServer(server, 'GET /api/outbound-tasks/{id}', `/api/outbound-tasks/${enc(id)}`)).readiness,
      callStats: (id, range = {}) =>
        getFromServer(
          server,
          'GET /api/outbound-tasks/{id}/stats',
          `/api/outbound-tasks/${enc(id)}/stats${queryString({ from: range.from?.toISOString(), to: range.to?.toISOString() })}`,
        ),
    },
    agents: { list: async () => (await getFromServer(server, 'GET /api/agents', '/api/agents')).agents },
    queues: {
      list: async () => (await getFromServer(server, 'GET /api/queues', '/api/queues')).queues,
      get: async (id) => (await getFromServer(server, 'GET /api/queues/{id}', `/api/queues/${enc(id)}`)).queue,
      status: async (id) => (await getFromServer(server, 'GET /api/queues/{id}', `/api/queues/${enc(id)}`)).status,
      waiting: async (id) => (await getFromServer(server, 'GET /api/queues/{id}/entries', `/api/queues/${enc(id)}/entries`)).entries,
      events: (id, o = {}) => getFromServer(server, 'GET /api/queues/{id}/events', `/api/queues/${enc(id)}/events${queryString(o)}`),
    },
    subscribers: { list: (query) => getFromServer(server, 'GET /api/subscribers', `/api/subscribers${queryString(query)}`) },
    serviceTasks: {
      list: async () => (await getFromServer(server, 'GET /api/service-tasks', '/api/service-tasks')).tasks,
      runs: async (id, limit) =>
        (await getFromServer(server, 'GET /api/service-tasks/{id}/runs', `/api/service-tasks/${enc(id)}/runs${queryString({ limit })}`)).runs,
    },
    scenarios: {
      get: async (id) => {
        const { document: _, ...summary } = await getFromServer(server, 'GET /api/scenarios/{id}', `/api/scenarios/${enc(id)}`);
        return summary;
      },
      version: async (id, version) => {
        const wanted = version ?? (await getFromServer(server, 'GET /api/scenarios/{id}', `/api/scenarios/${enc(id)}`)).latestVersion;
        const { versions } = await getFromServer(server, 'GET /api/scenarios/{id}/versions', `/api/scenarios/${enc(id)}/versions`);
        const info = versions.find((v) => v.version === wanted);
        // The file as stored, keys in their order (decoding with the schema would reorder them).
        const text = await getTextFromServer(
          server,
          'GET /api/scenarios/{id}/versions/{version}/export',
          `/api/scenarios/${enc(id)}/versions/${wanted}/export`,
        );
        if (!info) throw new Error(`the server lists no version ${wanted} of "${id}" but exported it`);
        return { ...info, document: JSON.parse(text) };
      },
    },
  };
}
