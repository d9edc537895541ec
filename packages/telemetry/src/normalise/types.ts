import type { ExecEvent } from '@execguard/schema';

/** Where an input record came from: every output line must trace back to it. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based line of the record's first line (text formats). */
  readonly line?: number;
  /** Byte offset of the record (binary formats such as .evtx). */
  readonly offset?: number;
}

export interface Malformed extends SourceLocation {
  readonly message: string;
}

/** What every reader yields, in input order. */
export type IngestItem = { readonly event: ExecEvent } | { readonly malformed: Malformed } | { readonly skipped: SkippedRecord };

/** A well-formed record that is not an execution or decision record (e.g. Sysmon network events). */
export interface SkippedRecord extends SourceLocation {
  readonly format: string;
}

export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
