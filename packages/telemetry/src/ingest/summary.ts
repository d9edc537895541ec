import type { ExecEvent } from '@execguard/schema';
import type { Malformed } from '../normalise/types.js';

/** Counts for the end-of-run summary; the malformed list is capped so a garbage file cannot exhaust memory. */
export class IngestSummary {
  static readonly MAX_LISTED = 1000;
  files = 0;
  events = 0;
  skipped = 0;
  malformedCount = 0;
  readonly byFormat: Record<string, number> = {};
  readonly skippedByFormat: Record<string, number> = {};
  readonly byTechnique: Record<string, number> = {};
  readonly malformed: Malformed[] = [];

  addEvent(ev: ExecEvent): void {
    this.events++;
    const f = ev.execguard?.source_format ?? 'unknown';
    this.byFormat[f] = (this.byFormat[f] ?? 0) + 1;
    for (const t of ev.threat?.technique?.id ?? []) this.byTechnique[t] = (this.byTechnique[t] ?? 0) + 1;
  }

  addSkipped(format: string): void {
    this.skipped++;
    this.skippedByFormat[format] = (this.skippedByFormat[format] ?? 0) + 1;
  }

  addMalformed(m: Malformed): void {
    this.malformedCount++;
    if (this.malformed.length < IngestSummary.MAX_LISTED) this.malformed.push(m);
  }

  toJSON() {
    return {
      files: this.files,
      events: this.events,
      byFormat: this.byFormat,
      byTechnique: this.byTechnique,
      skipped: this.skipped,
      skippedByFormat: this.skippedByFormat,
      malformed: this.malformedCount,
      malformedRecords: this.malformed,
    };
  }
}
