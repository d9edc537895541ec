import type { TSchema } from '@sinclair/typebox';
import type { AnyRoute } from './route.js';

// JSON Schema without TypeBox's symbol keys (JSON.stringify drops symbols already; this also copies).
const plain = (s: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;

const ERROR = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
};

function parameters(schema: TSchema | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const s = plain(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: p,
  }));
}

/** OpenAPI 3.1 (JSON Schema 2020-12 compatible) document of the mounted routes. */
export function openApiDocument(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const isPublic = r.roles === 'public';
    const responses: Record<string, unknown> = {
      [String(r.status ?? 200)]: {
        description: 'success',
        ...(r.response ? { content: { 'application/json': { schema: plain(r.response) } } } : {}),
      },
      '400': {
        description: 'invalid request; `field` names the input at fault',
        content: { 'application/json': { schema: ERROR } },
      },
    };
    if (!isPublic) {
      responses['401'] = { description: 'missing or invalid credentials', content: { 'application/json': { schema: ERROR } } };
      responses['403'] = {
        description: 'the credential’s role may not use this route, or not for this host',
        content: { 'application/json': { schema: ERROR } },
      };
      responses['429'] = { description: 'too many failed authentications from this address' };
    }
    const item = paths[path] ?? {};
    paths[path] = item;
    item[r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      tags: [r.tag],
      'x-roles': isPublic ? [] : r.roles,
      security: isPublic ? [] : [{ bearer: [] }],
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ExecGuard control server',
      version,
      description:
        'Hosts, policies, signed bundles, events, review, exceptions, maintenance windows, replay and promotion. Every route except /healthz needs a bearer token; x-roles lists the roles that may call it.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
