import { lintPolicy, policyDigest } from '@execguard/engine';
import { defaultCatalogue } from '@execguard/knowledge';
import { type Policy, parsePolicyText, validatePolicy } from '@execguard/schema';
import type { PolicyVersion } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../context.js';
import { diff } from '../diff.js';
import { HttpError, notFound } from '../errors.js';
import { defineRoute } from '../route.js';
import { Body, Id, iso, Query } from '../schemas.js';
import { READ } from './hosts.js';

const VersionParams = Type.Object({ name: Id, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const versionView = (v: Omit<PolicyVersion, 'document'>) => ({
  ...v,
  createdAt: iso(v.createdAt),
  publishedAt: iso(v.publishedAt),
});

/** 422 with every validation issue, each naming its location in the document. */
function invalid(issues: readonly { path: string; message: string; code: string; line?: number; column?: number }[]): HttpError {
  const first = issues[0]!;
  const e = new HttpError(
    422,
    'invalid_policy',
    `invalid policy: ${issues.map((i) => `${i.path || '/'}: ${i.message} [${i.code}]`).join('; ')}`,
    `body/document${first.path}`,
  );
  return Object.assign(e, { issues });
}

/** Stores a validated policy as the next version of its name (metadata.version is set to that number). */
export async function addPolicyVersion(
  ctx: Ctx,
  actor: string,
  document: unknown,
  comment: string | null,
): Promise<Omit<PolicyVersion, 'document'>> {
  const issues = validatePolicy(document);
  if (issues.length > 0) throw invalid(issues);
  const policy = document as Policy;
  const name = policy.metadata.name;
  const version = (await ctx.store.latestPolicyVersion(name)) + 1;
  const doc: Policy = { ...policy, metadata: { ...policy.metadata, version } };
  let v: PolicyVersion;
  try {
    v = await ctx.store.addPolicyVersion(
      { name, document: doc, digest: policyDigest(doc), createdBy: actor, createdAt: ctx.now(), comment },
      version,
    );
  } catch {
    throw new HttpError(409, 'conflict', `policy ${name} version ${version} was added concurrently; retry`);
  }
  await ctx.audit({ actor, action: 'policy.add', target: `${name}@${version}`, data: { digest: v.digest, comment } });
  const { document: _, ...meta } = v;
  return meta;
}

export async function latestPolicy(ctx: Ctx, name: string): Promise<PolicyVersion> {
  const n = await ctx.store.latestPolicyVersion(name);
  const v = n > 0 ? await ctx.store.getPolicyVersion(name, n) : null;
  if (!v) throw notFound(`policy ${name}`);
  return v;
}

/** The policy version of the current signed bundle, if anything was published. */
export async function publishedPolicy(ctx: Ctx): Promise<PolicyVersion | null> {
  const b = await ctx.store.latestBundle();
  return b ? ctx.store.getPolicyVersion(b.policyName, b.policyVersion) : null;
}

export async function getVersion(ctx: Ctx, name: string, version: number): Promise<PolicyVersion> {
  const v = await ctx.store.getPolicyVersion(name, version);
  if (!v) throw notFound(`policy ${name} version ${version}`);
  return v;
}

export function policyRoutes(ctx: Ctx, publish: (actor: string, v: PolicyVersion) => Promise<unknown>) {
  const { store } = ctx;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/policies',
      roles: ['analyst', 'admin'],
      tag: 'policies',
      summary:
        'Add a policy version (JSON document, or YAML/JSON text): validated, stored as the next version, not yet published',
      status: 201,
      bodyLimit: 16 * 1024 * 1024,
      body: Body({
        document: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'the policy as JSON' })),
        text: Type.Optional(Type.String({ maxLength: 16 * 1024 * 1024, description: 'the policy as YAML or JSON text' })),
        comment: Type.Optional(Type.String({ maxLength: 4000 })),
      }),
      handler: async ({ body, principal }) => {
        if ((body.document === undefined) === (body.text === undefined))
          throw new HttpError(400, 'invalid_request', 'body: give exactly one of document or text', 'body');
        let doc: unknown = body.document;
        if (body.text !== undefined) {
          const parsed = parsePolicyText(body.text);
          if (!parsed.ok) throw invalid(parsed.issues);
          doc = parsed.value;
        }
        return versionView(await addPolicyVersion(ctx, principal.subject, doc, body.comment ?? null));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/policies',
      roles: READ,
      tag: 'policies',
      summary: 'Policy versions (without documents), and which one the current bundle holds',
      query: Query({ name: Type.Optional(Id) }),
      handler: async ({ query }) => {
        const b = await store.latestBundle();
        return {
          versions: (await store.listPolicyVersions(query.name)).map(versionView),
          published: b ? { name: b.policyName, version: b.policyVersion, sequence: b.sequence } : null,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/policies/:name/versions/:version',
      roles: READ,
      tag: 'policies',
      summary: 'One policy version with its document',
      params: VersionParams,
      handler: async ({ params }) => {
        const v = await getVersion(ctx, params.name, params.version);
        return { ...versionView(v), document: v.document };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/policies/:name/versions/:version/lint',
      roles: READ,
      tag: 'policies',
      summary: 'Bypass-path findings of a policy version (severity, ICS technique, evidence, fix)',
      params: VersionParams,
      handler: async ({ params }) => {
        const v = await getVersion(ctx, params.name, params.version);
        return { findings: lintPolicy({ policy: v.document as Policy, catalogue: defaultCatalogue, now: ctx.now() }) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/policies/:name/diff',
      roles: READ,
      tag: 'policies',
      summary: 'Differences between two versions (lists of rules, scopes, exceptions, windows compared by id)',
      params: Type.Object({ name: Id }, { additionalProperties: false }),
      query: Query({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) }),
      handler: async ({ params, query }) => {
        const a = await getVersion(ctx, params.name, query.from);
        const b = await getVersion(ctx, params.name, query.to);
        return { from: a.version, to: b.version, changes: diff(a.document, b.document) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/policies/:name/versions/:version/publish',
      roles: ['admin'],
      tag: 'policies',
      summary: 'Publish a version: sign a bundle (next sequence) with group modes, active exceptions and windows; agents pull it',
      params: VersionParams,
      handler: async ({ params, principal }) => publish(principal.subject, await getVersion(ctx, params.name, params.version)),
    }),
  ];
}
