import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Principal, RouteRole } from './auth.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRequest<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly principal: Principal;
  readonly ip: string;
}

/**
 * One route: its schemas are both Fastify's request validation and the OpenAPI document, so the
 * document cannot drift from what the server accepts. `roles` is enforced by the auth hook and
 * published as x-roles.
 */
export interface RouteSpec<B extends TSchema = TSchema, Q extends TSchema = TSchema, P extends TSchema = TSchema> {
  readonly method: Method;
  readonly url: string;
  readonly roles: readonly RouteRole[] | 'public';
  readonly summary: string;
  readonly tag: string;
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
  /** Documented only (not used to serialise, so nothing is silently dropped from answers). */
  readonly response?: TSchema;
  readonly status?: number;
  readonly bodyLimit?: number;
  readonly handler: (req: RouteRequest<Static<B>, Static<Q>, Static<P>>, reply: FastifyReply) => Promise<unknown>;
}

export type AnyRoute = RouteSpec<TSchema, TSchema, TSchema>;

export function defineRoute<B extends TSchema = TSchema, Q extends TSchema = TSchema, P extends TSchema = TSchema>(
  spec: RouteSpec<B, Q, P>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    roles?: readonly RouteRole[] | 'public';
  }
}

export function mount(app: FastifyInstance, routes: readonly AnyRoute[]): void {
  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      config: { roles: r.roles },
      ...(r.bodyLimit ? { bodyLimit: r.bodyLimit } : {}),
      schema: {
        ...(r.body ? { body: r.body } : {}),
        ...(r.query ? { querystring: r.query } : {}),
        ...(r.params ? { params: r.params } : {}),
      },
      handler: async (req, reply) => {
        const result = await r.handler(
          {
            body: req.body,
            query: req.query,
            params: req.params,
            principal: req.principal!,
            ip: req.ip,
          } as RouteRequest<unknown, unknown, unknown>,
          reply,
        );
        if (r.status) reply.code(r.status);
        return result;
      },
    });
  }
}
