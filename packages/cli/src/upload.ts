import type { ExecEvent } from '@execguard/schema';
import { EXIT, UserError } from './errors.js';

/**
 * Uploads events to a control server in batches (POST /v1/events). Each batch is retried on
 * network errors and 5xx with backoff: the server deduplicates by host and event id, so a batch
 * sent twice is stored once. A 4xx is the input's or the credential's fault and stops the upload.
 */
export class Uploader {
  private batch: ExecEvent[] = [];
  uploaded = 0;
  batches = 0;

  constructor(
    private readonly server: string,
    private readonly token: string,
    private readonly batchSize = 1000,
    private readonly attempts = 5,
  ) {}

  async add(ev: ExecEvent): Promise<void> {
    this.batch.push(ev);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    const url = new URL('/v1/events', this.server);
    const body = JSON.stringify({ events });
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let text: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
          body,
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        if (attempt < this.attempts) {
          await sleep(backoff(attempt));
          continue;
        }
        throw new UserError(
          `${url.origin}: cannot upload (${cause?.code ?? cause?.message ?? (e as Error).message})`,
          EXIT.USAGE,
        );
      }
      if (status >= 200 && status < 300) {
        this.uploaded += events.length;
        this.batches++;
        return;
      }
      if ((status >= 500 || status === 429) && attempt < this.attempts) {
        await sleep(backoff(attempt));
        continue;
      }
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: show the text
      }
      throw new UserError(`${url.origin}: upload refused (HTTP ${status}): ${message}`, EXIT.USAGE);
    }
  }
}

const backoff = (attempt: number) => Math.min(10_000, 250 * 2 ** attempt);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
