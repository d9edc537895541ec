/**
 * The agent's link to the control server: enrolment (a one-time token becomes this host's own
 * credential), signed policy bundles (verified against the server key pinned at enrolment, never
 * rolled back, installed atomically where the agent reloads its policy from), event upload from the
 * spool (at-least-once: the cursor moves only after the server acknowledged a committed batch, and
 * the server de-duplicates by event id), and check-ins. The link never touches the enforcer: when
 * the server is unreachable for days, enforcement goes on and events wait in the bounded spool.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { HostContext } from '@execguard/schema';
import { importBundle, parsePublicKey, readBundleState, trustedKey, writeFileAtomic } from '@execguard/trust';
import type { Spool } from './spool.js';

export interface LinkOptions {
  readonly server: string;
  /** Where the credential, the pinned server key, the bundle state and the installed policy live. */
  readonly stateDir: string;
  readonly hostId: string;
  readonly hostName?: string | undefined;
  /** PEM of a CA to trust for https (self-signed control servers). */
  readonly ca?: string | undefined;
  /** Server signing key (PEM) known out of band; otherwise the key seen at enrolment is pinned. */
  readonly trustedKeyPem?: string | undefined;
  readonly batch?: number | undefined;
  readonly log?: (line: string) => void;
}

export class LinkError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Response {
  readonly status: number;
  readonly body: unknown;
}

const CREDENTIAL = 'credential';
const SERVER_KEY = 'server-key.pem';

export class ServerLink {
  private readonly log: (line: string) => void;
  constructor(private readonly o: LinkOptions) {
    mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
    this.log = o.log ?? (() => {});
  }

  get policyFile(): string {
    return join(this.o.stateDir, 'policy.json');
  }

  private call(method: string, path: string, token: string | undefined, body?: unknown): Promise<Response> {
    const url = new URL(path, this.o.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          timeout: 30_000,
          ...(this.o.ca ? { ca: this.o.ca } : {}),
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private credential(): string {
    try {
      return readFileSync(join(this.o.stateDir, CREDENTIAL), 'utf8').trim();
    } catch {
      throw new LinkError(`not enrolled: no credential in ${this.o.stateDir} (enrol with a one-time token first)`);
    }
  }

  enrolled(): boolean {
    try {
      this.credential();
      return true;
    } catch {
      return false;
    }
  }

  /** Exchanges a one-time enrolment token for this host's credential; pins the server's signing key. */
  async enrol(enrolmentToken: string): Promise<void> {
    const r = await this.call('POST', '/v1/enrol', enrolmentToken, {
      hostId: this.o.hostId,
      name: this.o.hostName ?? this.o.hostId,
      os: 'linux',
    });
    if (r.status !== 201 && r.status !== 200) throw new LinkError(`enrolment refused: ${r.status} ${describe(r.body)}`, r.status);
    const token = (r.body as { token?: unknown }).token;
    if (typeof token !== 'string' || token.length < 16) throw new LinkError('enrolment answer carries no credential');
    // The signing key is read with the new credential, over the connection that enrolled us.
    const key = this.o.trustedKeyPem ?? (await this.fetchSigningKey(token));
    writeFileAtomic(join(this.o.stateDir, SERVER_KEY), key, 0o600);
    writeFileAtomic(join(this.o.stateDir, CREDENTIAL), `${token}\n`, 0o600);
    this.log(`enrolled as ${this.o.hostId}`);
  }

  private async fetchSigningKey(token: string): Promise<string> {
    const r = await this.call('GET', '/v1/signing-key', token);
    const pem = (r.body as { publicKey?: unknown } | undefined)?.publicKey;
    if (r.status !== 200 || typeof pem !== 'string')
      throw new LinkError(`cannot read the server signing key: ${r.status} ${describe(r.body)}`, r.status);
    parsePublicKey(pem); // a key that does not parse is never pinned
    return pem;
  }

  /**
   * Fetches this host's bundle and installs it when it verifies (signature by the pinned key, not
   * expired, scope includes this host, sequence not lower than the one running). Returns true when
   * a new policy was installed.
   */
  async pullBundle(host: HostContext): Promise<boolean> {
    const r = await this.call('GET', `/v1/hosts/${encodeURIComponent(this.o.hostId)}/bundle`, this.credential());
    if (r.status === 404) return false; // nothing published for this host yet
    if (r.status !== 200) throw new LinkError(`bundle fetch failed: ${r.status} ${describe(r.body)}`, r.status);
    const bundle = (r.body as { bundle?: unknown }).bundle;
    if (bundle === undefined) throw new LinkError('bundle answer carries no bundle');
    const pem = readFileSync(join(this.o.stateDir, SERVER_KEY), 'utf8');
    const result = importBundle(typeof bundle === 'string' ? bundle : JSON.stringify(bundle), {
      stateDir: this.o.stateDir,
      trustedKeys: [trustedKey(parsePublicKey(pem))],
      host: { id: host.id, ...(host.role ? { role: host.role } : {}), ...(host.labels ? { labels: host.labels } : {}) },
      policyFile: this.policyFile,
    });
    if (result.changed) this.log(`installed bundle sequence ${result.bundle.sequence} (policy version ${result.bundle.version})`);
    return result.changed;
  }

  bundleSequence(): number | undefined {
    return readBundleState(this.o.stateDir)?.sequence;
  }

  /**
   * Uploads spooled events until the spool is empty or a call fails. A batch the server refuses as
   * invalid (4xx) is retried event by event so one bad event cannot hold the rest back; events the
   * server refuses alone are counted and skipped. Returns the number of events the server stored.
   */
  async upload(spool: Spool): Promise<{ sent: number; rejected: number }> {
    let sent = 0;
    let rejected = 0;
    for (;;) {
      const { events, next } = spool.read(spool.cursor('upload-cursor.json'), this.o.batch ?? 500);
      const shippable = events.filter(isExecEvent);
      if (events.length === 0) break;
      if (shippable.length > 0) {
        const r = await this.call('POST', '/v1/events', this.credential(), { events: shippable });
        if (r.status >= 500 || r.status === 0 || r.status === 401 || r.status === 403 || r.status === 429) {
          throw new LinkError(`event upload failed: ${r.status} ${describe(r.body)}`, r.status);
        }
        if (r.status >= 400) {
          for (const e of shippable) {
            const one = await this.call('POST', '/v1/events', this.credential(), { events: [e] });
            if (one.status >= 500) throw new LinkError(`event upload failed: ${one.status}`, one.status);
            if (one.status >= 400) rejected++;
            else sent++;
          }
        } else sent += shippable.length;
      }
      spool.commit(next, 'upload-cursor.json');
    }
    return { sent, rejected };
  }

  /** Uploads an inventory (execguard scan output, JSON lines) for this host. */
  async uploadInventory(name: string, content: string): Promise<void> {
    const r = await this.call('POST', `/v1/hosts/${encodeURIComponent(this.o.hostId)}/inventories`, this.credential(), {
      name,
      content,
    });
    if (r.status >= 400 || r.status === 0)
      throw new LinkError(`inventory upload failed: ${r.status} ${describe(r.body)}`, r.status);
  }

  async heartbeat(policyVersion: number | undefined): Promise<void> {
    const seq = this.bundleSequence();
    const r = await this.call('POST', `/v1/hosts/${encodeURIComponent(this.o.hostId)}/heartbeat`, this.credential(), {
      ...(policyVersion !== undefined ? { policyVersion } : {}),
      ...(seq !== undefined ? { bundleSequence: seq } : {}),
    });
    if (r.status >= 400) throw new LinkError(`check-in failed: ${r.status} ${describe(r.body)}`, r.status);
  }
}

/** Spool lines that are executions (the spool also holds overflow notes, which stay local). */
function isExecEvent(e: unknown): boolean {
  const x = e as { process?: unknown; event?: { id?: unknown } } | null;
  return typeof x === 'object' && x !== null && typeof x.process === 'object' && typeof x.event?.id === 'string';
}

function describe(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return typeof body === 'string' ? body.slice(0, 200) : '';
}
