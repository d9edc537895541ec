import type { Store } from '@execguard/store';
import { applyRetention } from '@execguard/store';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { AuditLog } from './audit-log.js';
import { authenticate, authorize, FailureLimiter, MissingCredential } from './auth.js';
import { BundleService, bundleRoutes, type SigningKeyOptions } from './bundles.js';
import { registerConsole } from './console-static.js';
import { type Ctx, DEFAULT_LIMITS, type Limits } from './context.js';
import { HttpError } from './errors.js';
import { EventWriter } from './ingest.js';
import { openApiDocument } from './openapi.js';
import { type AnyRoute, defineRoute, mount } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { eventRoutes } from './routes/events.js';
import { exceptionRoutes, sweepExceptions } from './routes/exceptions.js';
import { hostRoutes, READ } from './routes/hosts.js';
import { policyRoutes } from './routes/policies.js';
import { replayRoutes } from './routes/replay.js';
import { reviewRoutes } from './routes/review.js';
import { windowRoutes } from './routes/windows.js';
import { hashSecret, newId, newSecret } from './secrets.js';

export const SERVER_VERSION = '0.1.0';

export interface ServerOptions {
  readonly store: Store;
  /** Clock (epoch ms); tests move it. */
  readonly now?: () => number;
  readonly limits?: Partial<Limits>;
  /** Fastify's request log (never includes headers, so never a token). */
  readonly logger?: boolean;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Failed authentications allowed per address and window before 429 (default 20 per minute). */
  readonly authFailures?: { readonly limit: number; readonly windowMs: number };
  /** The Ed25519 key that signs bundles and audit checkpoints (generated on first start if absent). */
  readonly signing: SigningKeyOptions;
  /** Background jobs (exception expiry, last-seen, retention). Off in tests that drive time themselves. */
  readonly jobs?: boolean;
}

export interface ExecGuardServer {
  readonly app: FastifyInstance;
  readonly ctx: Ctx;
  /** The one-time admin token of the first start, or null. Shown once by `execguard serve`, never logged. */
  readonly bootstrapToken: string | null;
  readonly bundles: BundleService;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

function validationMessage(e: FastifyError): { field: string; message: string } {
  const v = e.validation?.[0];
  const where = `${e.validationContext ?? 'body'}${v?.instancePath ?? ''}`;
  if (!v) return { field: where, message: e.message };
  const p = v.params as Record<string, unknown>;
  if (v.keyword === 'additionalProperties')
    return { field: `${where}/${String(p.additionalProperty)}`, message: `unknown field "${String(p.additionalProperty)}"` };
  if (v.keyword === 'required')
    return { field: `${where}/${String(p.missingProperty)}`, message: `missing required field "${String(p.missingProperty)}"` };
  return { field: where, message: v.message ?? e.message };
}

export async function createServer(opts: ServerOptions): Promise<ExecGuardServer> {
  const { store } = opts;
  const now = opts.now ?? Date.now;
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const app = Fastify({
    logger: opts.logger ?? false,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    bodyLimit: 4 * 1024 * 1024,
    // Many agents keep connections open between uploads.
    keepAliveTimeout: 65_000,
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);

  // SQLite: one batch being inserted by the writer thread while the next one gathers; PostgreSQL: a few connections.
  const writer = new EventWriter(store, store.kind === 'sqlite' ? 2 : 4, 20_000, now);
  const audit = AuditLog.open(store, now, opts.signing);
  let bundles: BundleService | undefined;
  const ctx: Ctx = {
    store,
    now,
    limits,
    writer,
    audit: (e) => audit.append(e),
    republish: async (actor, reason) => {
      await bundles?.republish(actor, reason);
    },
  };
  bundles = await BundleService.open(ctx, audit.key);

  let bootstrapToken: string | null = null;
  if (await store.initMeta('bootstrap.at', String(now()))) {
    bootstrapToken = newSecret('egt');
    const id = newId('tok');
    await store.createToken({
      id,
      hash: hashSecret(bootstrapToken),
      subject: 'bootstrap-admin',
      role: 'admin',
      hostId: null,
      createdAt: now(),
      expiresAt: null,
      revokedAt: null,
    });
    await ctx.audit({
      actor: 'system',
      action: 'token.bootstrap',
      target: id,
      data: { subject: 'bootstrap-admin', role: 'admin' },
    });
  }

  const limiter = new FailureLimiter(opts.authFailures?.limit ?? 20, opts.authFailures?.windowMs ?? 60_000);
  app.addHook('onRequest', async (req) => {
    const roles = req.routeOptions.config?.roles;
    if (roles === 'public') return;
    const t = Date.now();
    const wait = limiter.blockedFor(req.ip, t);
    if (wait > 0)
      throw new HttpError(429, 'too_many_requests', `too many failed authentications; retry in ${Math.ceil(wait / 1000)} s`);
    try {
      req.principal = await authenticate(store, req.headers.authorization, now());
    } catch (e) {
      if (!(e instanceof MissingCredential)) limiter.fail(req.ip, t);
      throw e;
    }
    if (roles !== undefined) authorize(req.principal, roles, (req.params as { hostId?: string } | undefined)?.hostId);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpError) {
      const { status, code, field, message, name: _n, stack: _s, ...extra } = err as HttpError & Record<string, unknown>;
      if (status === 429) reply.header('retry-after', '60');
      return reply.code(status).send({ error: code, message, ...(field ? { field } : {}), ...extra });
    }
    if (err.validation) {
      const v = validationMessage(err);
      return reply.code(400).send({ error: 'invalid_request', message: `${v.field}: ${v.message}`, field: v.field });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: err.code ?? 'bad_request', message: err.message });
    req.log.error({ err }, 'internal error');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      roles: 'public',
      tag: 'meta',
      summary: 'Liveness and store reachability (no credentials needed, no data returned)',
      handler: async (_req, reply) => {
        try {
          await store.getMeta('bootstrap.at');
          return { ok: true };
        } catch {
          reply.code(503);
          return { ok: false };
        }
      },
    }),
    ...hostRoutes(ctx),
    ...eventRoutes(ctx),
    ...reviewRoutes(ctx),
    ...exceptionRoutes(ctx),
    ...windowRoutes(ctx),
    ...policyRoutes(ctx, (actor, v) => bundles.publish(actor, v)),
    ...replayRoutes(ctx),
    ...bundleRoutes(ctx, bundles),
    defineRoute({
      method: 'GET',
      url: '/v1/audit/export',
      roles: ['viewer', 'approver', 'admin'],
      tag: 'audit',
      summary:
        'The audit log as JSON lines (entries and signed checkpoints, ending with a checkpoint made now), for `execguard audit verify` offline',
      handler: async (_req, reply) => {
        reply.type('application/x-ndjson');
        return audit.export();
      },
    }),
    ...adminRoutes(ctx),
  ];
  const openapi = defineRoute({
    method: 'GET',
    url: '/openapi.json',
    roles: READ,
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document, generated from the route schemas',
    handler: async () => document,
  });
  routes.push(openapi);
  const document = openApiDocument(routes, SERVER_VERSION);
  mount(app, routes);
  // The web console (packages/console), when built: static files only; every API call it makes is authenticated.
  registerConsole(app);

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, job: () => Promise<unknown>) => {
    const t = setInterval(() => void job().catch((e: unknown) => app.log.error({ err: e }, 'background job failed')), ms);
    t.unref();
    timers.push(t);
  };
  if (opts.jobs !== false) {
    every(2_000, () => writer.flushSeen());
    every(60_000, () => sweepExceptions(ctx));
    every(3_600_000, () => applyRetention(store, now(), limits.retentionDays));
    every(3_600_000, () => bundles.refresh());
    await applyRetention(store, now(), limits.retentionDays);
    await sweepExceptions(ctx);
  }

  return {
    app,
    ctx,
    bootstrapToken,
    bundles,
    audit,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await app.close();
      await writer.idle();
      await writer.flushSeen();
    },
  };
}
