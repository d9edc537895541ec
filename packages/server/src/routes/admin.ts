import { createHash } from 'node:crypto';
import type { BlobKind } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { DAY } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { defineRoute } from '../route.js';
import { Body, HostParams, IdParams, iso, Query, RoleName } from '../schemas.js';
import { hashSecret, newId, newSecret } from '../secrets.js';
import { READ } from './hosts.js';

const MAX_BLOB = 64 * 1024 * 1024;
const blobView = <T extends { createdAt: number }>(b: T) => ({ ...b, createdAt: iso(b.createdAt) });

export function adminRoutes(ctx: Ctx) {
  const { store } = ctx;
  const putBlob = async (kind: BlobKind, hostId: string | null, name: string, content: string, by: string) => {
    const meta = {
      id: newId(kind === 'baseline' ? 'bas' : 'inv'),
      kind,
      hostId,
      name,
      sha256: createHash('sha256').update(content).digest('hex'),
      size: Buffer.byteLength(content),
      uploadedBy: by,
      createdAt: ctx.now(),
    };
    await store.putBlob(meta, content);
    await ctx.audit({
      actor: by,
      action: `${kind}.upload`,
      target: meta.id,
      data: { hostId, name, sha256: meta.sha256, size: meta.size },
    });
    return blobView(meta);
  };
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/tokens',
      roles: ['admin'],
      tag: 'tokens',
      summary: 'Create an API token for a person or tool (shown once; stored hashed)',
      status: 201,
      body: Body({
        subject: Type.String({
          pattern: '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$',
          description: 'the person or tool; four-eyes rules compare subjects',
        }),
        role: RoleName,
        ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
      }),
      handler: async ({ body, principal }) => {
        const now = ctx.now();
        const token = newSecret('egt');
        const id = newId('tok');
        const expiresAt = body.ttlDays ? now + body.ttlDays * DAY : null;
        await store.createToken({
          id,
          hash: hashSecret(token),
          subject: body.subject,
          role: body.role,
          hostId: null,
          createdAt: now,
          expiresAt,
          revokedAt: null,
        });
        await ctx.audit({
          actor: principal.subject,
          action: 'token.create',
          target: id,
          data: { subject: body.subject, role: body.role, expiresAt: iso(expiresAt) },
        });
        return { id, token, subject: body.subject, role: body.role, expiresAt: iso(expiresAt) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/tokens',
      roles: ['admin'],
      tag: 'tokens',
      summary: 'List API tokens (never their secrets or hashes)',
      handler: async () => ({
        tokens: (await store.listTokens()).map((t) => ({
          id: t.id,
          subject: t.subject,
          role: t.role,
          hostId: t.hostId,
          createdAt: iso(t.createdAt),
          expiresAt: iso(t.expiresAt),
          revokedAt: iso(t.revokedAt),
        })),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/tokens/:id/revoke',
      roles: ['admin'],
      tag: 'tokens',
      summary: 'Revoke an API or agent token',
      params: IdParams,
      handler: async ({ params, principal }) => {
        if (!(await store.revokeToken(params.id, ctx.now())))
          throw conflict(`token ${params.id} does not exist or is already revoked`);
        await ctx.audit({ actor: principal.subject, action: 'token.revoke', target: params.id });
        return { ok: true };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/hosts/:hostId/inventories',
      roles: ['agent', 'analyst', 'admin'],
      tag: 'inventories',
      summary: 'Upload an inventory of a host (execguard scan output, JSON lines); an agent only for its own host',
      status: 201,
      params: HostParams,
      bodyLimit: MAX_BLOB + 1024,
      body: Body({ name: Type.String({ minLength: 1, maxLength: 256 }), content: Type.String({ maxLength: MAX_BLOB }) }),
      handler: async ({ params, body, principal }) => {
        if (!(await store.getHost(params.hostId))) await store.ensureHosts([{ id: params.hostId }], ctx.now());
        return putBlob('inventory', params.hostId, body.name, body.content, principal.subject);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/hosts/:hostId/inventories',
      roles: [...READ, 'agent'],
      tag: 'inventories',
      summary: 'Inventories uploaded for a host (metadata)',
      params: HostParams,
      handler: async ({ params }) => ({
        inventories: (await store.listBlobs({ kind: 'inventory', hostId: params.hostId })).map(blobView),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/baselines',
      roles: ['analyst', 'admin'],
      tag: 'inventories',
      summary: 'Upload a baseline (execguard baseline output)',
      status: 201,
      bodyLimit: MAX_BLOB + 1024,
      body: Body({ name: Type.String({ minLength: 1, maxLength: 256 }), content: Type.String({ maxLength: MAX_BLOB }) }),
      handler: async ({ body, principal }) => putBlob('baseline', null, body.name, body.content, principal.subject),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/baselines',
      roles: READ,
      tag: 'inventories',
      summary: 'Baselines (metadata)',
      handler: async () => ({ baselines: (await store.listBlobs({ kind: 'baseline' })).map(blobView) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/blobs/:id',
      roles: READ,
      tag: 'inventories',
      summary: 'Content of a baseline or inventory',
      params: IdParams,
      handler: async ({ params }) => {
        const b = await store.getBlob(params.id);
        if (!b) throw notFound(`blob ${params.id}`);
        return { ...blobView(b.meta), content: b.content };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/audit',
      roles: READ,
      tag: 'audit',
      summary: 'Audit log entries after a sequence number, in order (the hash-chained records, for `execguard audit verify`)',
      query: Query({
        after: Type.Optional(Type.Integer({ minimum: 0 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
      }),
      handler: async ({ query }) => ({
        entries: (await store.listAudit(query.after ?? 0, query.limit ?? 1000)).map((a) => ({
          ...a,
          at: iso(a.at),
          record: JSON.parse(a.record) as unknown,
        })),
      }),
    }),
  ];
}
