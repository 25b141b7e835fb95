/** `GET /api/openapi.json`: the OpenAPI document (public, built once on first request). */
import { OpenApiDocument } from '@tellflow/api';
import type { Deps } from '../context.ts';
import { routeGroup, type Operation } from '../http/route-group.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';

export function openApiRoutes({ options }: Deps, operations: () => Operation[]) {
  const api = routeGroup('/api/openapi.json', 'meta');
  let document: Record<string, unknown> | undefined;
  api.get('/', { summary: 'This API as an OpenAPI 3.1 document', access: 'public', response: OpenApiDocument }, (c) => {
    document ??= buildOpenApiDocument(operations(), { maxBodyBytes: options.maxBodyBytes });
    return c.json(document);
  });
  return api.group;
}
