import type { KeyObject } from 'node:crypto';
import { TrustError } from '../errors.js';
import type { TrustedKey } from '../keys.js';
import type { AuditEntry } from './chain.js';
import type { AuditCheckpoint } from './checkpoint.js';
import { type AuditRecord, type AuditReport, type VerifyAuditOptions, verifyAuditRecords } from './verify.js';

/**
 * Export format: JSON lines (UTF-8, LF or CRLF), entries and checkpoints in the order they were
 * written. An entry line is an AuditEntry; a checkpoint line has "type":"checkpoint". An export
 * should end with a checkpoint over its last entry (made on demand at export time), so that
 * cutting entries off the end is detected too.
 */
export function formatAuditLine(record: AuditEntry | AuditCheckpoint): string {
  return `${JSON.stringify(record)}\n`;
}

export function formatAuditExport(records: Iterable<AuditEntry | AuditCheckpoint>): string {
  let out = '';
  for (const r of records) out += formatAuditLine(r);
  return out;
}

export interface ParsedAuditExport {
  readonly entries: AuditRecord[];
  readonly checkpoints: AuditRecord[];
  /** Lines that are not JSON objects: reported as 'malformed' problems by verification. */
  readonly malformed: { readonly line: number; readonly message: string }[];
}

/**
 * Splits an export into entry and checkpoint records with their line numbers. Throws
 * TrustError E_MALFORMED only when the input is not an audit export at all (not UTF-8, or no
 * line is a JSON object); single bad lines are kept as malformed so one edit costs only itself.
 */
export function parseAuditExport(data: string | Uint8Array): ParsedAuditExport {
  let text: string;
  try {
    text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new TrustError('E_MALFORMED', 'audit export: not UTF-8 text');
  }
  const entries: AuditRecord[] = [];
  const checkpoints: AuditRecord[] = [];
  const malformed: { line: number; message: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      malformed.push({ line, message: `line ${line}: not JSON` });
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      malformed.push({ line, message: `line ${line}: not a JSON object` });
      continue;
    }
    if ((v as { type?: unknown }).type === 'checkpoint') checkpoints.push({ value: v, line });
    else entries.push({ value: v, line });
  }
  if (entries.length === 0 && checkpoints.length === 0) {
    throw new TrustError(
      'E_MALFORMED',
      malformed.length > 0 ? 'not an audit export (no line is a JSON object)' : 'audit export is empty',
    );
  }
  return { entries, checkpoints, malformed };
}

/** Parses and verifies an export; malformed lines are problems of kind 'malformed'. */
export function verifyAuditExport(
  data: string | Uint8Array,
  keys: KeyObject | TrustedKey | readonly (KeyObject | TrustedKey)[],
  options: VerifyAuditOptions = {},
): AuditReport {
  const parsed = parseAuditExport(data);
  const report = verifyAuditRecords(parsed.entries, parsed.checkpoints, keys, options);
  if (parsed.malformed.length === 0) return report;
  const problems = [...parsed.malformed.map((m) => ({ kind: 'malformed' as const, ...m })), ...report.problems];
  return { ...report, intact: false, problems };
}
