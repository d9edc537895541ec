import type { Policy } from '@execguard/schema';
import type { PolicyVersion } from '@execguard/store';
import { Type } from '@sinclair/typebox';
import { composePolicy } from './compose.js';
import type { Ctx } from './context.js';
import { DAY } from './context.js';
import { notFound } from './errors.js';
import { defineRoute } from './route.js';
import { hostContext, READ } from './routes/hosts.js';
import { HostParams, iso } from './schemas.js';
import { type KeyHandle, trust } from './trust-kit.js';

export type { SigningKeyOptions } from './trust-kit.js';

/**
 * Signed policy bundles. Publishing composes the policy agents receive (compose.ts), signs it with
 * packages/trust under the next sequence number, and stores it; a change to anything the bundle
 * holds (group modes, exceptions, windows, host groups) re-signs the same policy version under a new
 * sequence, so agents — which refuse any sequence lower than the one they run — pick it up.
 */
export class BundleService {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ctx: Ctx,
    readonly key: KeyHandle,
  ) {}

  static async open(ctx: Ctx, key: KeyHandle): Promise<BundleService> {
    return new BundleService(ctx, key);
  }

  /** One publication at a time, so sequences are assigned in order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  publish(actor: string, v: PolicyVersion, reason = 'publish') {
    return this.serial(async () => {
      const { store } = this.ctx;
      const now = this.ctx.now();
      const policy = await composePolicy(this.ctx, v.document as Policy);
      const sequence = ((await store.latestBundle())?.sequence ?? 0) + 1;
      const notBefore = now;
      const expires = now + this.ctx.limits.bundleDays * DAY;
      const signed = trust.signBundle(this.key, { policy, version: v.version, sequence, notBefore, expires });
      await store.addBundle({ sequence, policyName: v.name, policyVersion: v.version, bundle: signed.text, createdAt: now });
      if (reason === 'publish') await store.markPublished(v.name, v.version, actor, now);
      await this.ctx.audit({
        actor,
        action: reason === 'publish' ? 'policy.publish' : 'bundle.resign',
        target: `${v.name}@${v.version}`,
        data: { sequence, reason, digest: signed.digest, keyId: signed.keyId, expires: iso(expires) },
      });
      return {
        policy: v.name,
        version: v.version,
        sequence,
        digest: signed.digest,
        keyId: signed.keyId,
        notBefore: iso(notBefore),
        expires: iso(expires),
      };
    });
  }

  async republish(actor: string, reason: string): Promise<void> {
    const latest = await this.ctx.store.latestBundle();
    if (!latest) return;
    const v = await this.ctx.store.getPolicyVersion(latest.policyName, latest.policyVersion);
    if (v) await this.publish(actor, v, reason);
  }

  /** Re-signs before the current bundle expires (agents refuse expired bundles). */
  async refresh(): Promise<void> {
    const latest = await this.ctx.store.latestBundle();
    if (!latest) return;
    const expires = trust.bundleExpiry(latest.bundle);
    if (expires - this.ctx.now() < (this.ctx.limits.bundleDays * DAY) / 2)
      await this.republish('system', 'bundle nearing expiry');
  }
}

export function bundleRoutes(ctx: Ctx, bundles: BundleService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/hosts/:hostId/bundle',
      roles: ['agent', 'admin'],
      tag: 'agent',
      summary:
        'The current signed policy bundle for a host (an agent: its own host only; an admin: to carry it to an air-gapped site), with the host context its scopes select on',
      params: HostParams,
      response: Type.Object({
        sequence: Type.Integer(),
        bundle: Type.String({
          description: 'the signed bundle file (execguard-bundle/v1), verified by the agent with packages/trust',
        }),
        host: Type.Unknown(),
        keyId: Type.String(),
        publicKey: Type.String(),
      }),
      handler: async ({ params }) => {
        const host = await ctx.store.getHost(params.hostId);
        if (!host) throw notFound(`host ${params.hostId}`);
        const b = await ctx.store.latestBundle();
        if (!b) throw notFound('published policy');
        // The bundle file's exact text: agents verify the bytes as signed (and can store them as they are).
        return {
          sequence: b.sequence,
          bundle: b.bundle,
          host: hostContext(host),
          keyId: bundles.key.keyId,
          publicKey: trust.publicKey(bundles.key),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/signing-key',
      roles: [...READ, 'agent'],
      tag: 'agent',
      summary: 'The public key that signs bundles and audit checkpoints (agents and auditors pin it)',
      handler: async () => ({ keyId: bundles.key.keyId, publicKey: trust.publicKey(bundles.key) }),
    }),
  ];
}
