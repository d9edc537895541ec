import { type ExecEvent, validateEvent } from '@execguard/schema';
import type { JsonObject, SourceLocation } from '../../normalise/types.js';

/**
 * ExecGuard's own events (ExecEvent JSON lines, e.g. from the agent or `execguard ingest` itself): validated
 * against the schema and passed through; the location of this reading replaces any earlier log.file.
 */
export function normaliseExecGuard(doc: JsonObject, loc: SourceLocation): ExecEvent | { error: string } {
  const issues = validateEvent(doc);
  if (issues.length > 0)
    return { error: `not a valid ExecEvent: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}` };
  const ev = doc as ExecEvent;
  const prior = ev.execguard?.source_format;
  return {
    ...ev,
    log: { ...ev.log, file: { path: loc.file, ...(loc.line !== undefined ? { line: loc.line } : {}) } },
    execguard: { ...ev.execguard, source_format: prior ?? 'execguard' },
  };
}
