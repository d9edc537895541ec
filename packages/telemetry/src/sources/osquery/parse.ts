import type { ExecEvent } from '@execguard/schema';
import { baseName } from '../../normalise/paths.js';
import { epoch } from '../../normalise/time.js';
import { isObject, type JsonObject, type SourceLocation } from '../../normalise/types.js';
import { int, str, toEvent } from '../../normalise/values.js';
import { locationFields } from '../windows/base.js';

/**
 * osquery differential results of the process_events table: one {name, action, columns, hostIdentifier,
 * unixTime} object per line (event format), or the batch format {diffResults: {added: [columns…]}}.
 * Columns are strings (numerics=false) or numbers (numerics=true). Other query results are skipped.
 */
export function normaliseOsquery(doc: JsonObject, loc: SourceLocation): ExecEvent[] | undefined {
  if (!/process_events/.test(str(doc.name) ?? '')) return undefined;
  const rows: JsonObject[] = [];
  if (isObject(doc.columns)) {
    if (doc.action === undefined || doc.action === 'added' || doc.action === 'snapshot') rows.push(doc.columns);
  } else if (isObject(doc.diffResults) && Array.isArray(doc.diffResults.added)) {
    for (const r of doc.diffResults.added) if (isObject(r)) rows.push(r);
  } else if (Array.isArray(doc.snapshot)) {
    for (const r of doc.snapshot) if (isObject(r)) rows.push(r);
  }
  return rows.map((c) => row(doc, c, loc));
}

function row(doc: JsonObject, c: JsonObject, loc: SourceLocation): ExecEvent {
  const path = str(c.path);
  const cmd = str(c.cmdline);
  const time = str(c.time) ?? str(doc.unixTime);
  return toEvent({
    '@timestamp': time !== undefined ? epoch(time) : undefined,
    event: {
      kind: 'event',
      module: 'osquery',
      dataset: 'osquery.process_events',
      category: ['process'],
      type: ['start'],
      action: 'executed',
    },
    host: { name: str(doc.hostIdentifier), os: { family: 'linux', type: 'linux' } },
    process: {
      pid: int(c.pid),
      executable: path,
      name: baseName(path),
      // process_events.cmdline is the arguments joined by spaces; the original boundaries are lost.
      command_line: cmd,
      working_directory: str(c.cwd),
      parent: { pid: int(c.parent) },
    },
    user: { id: str(c.uid), group: { id: str(c.gid) }, effective: { id: str(c.euid) }, audit: { id: auditId(c.auid) } },
    osquery: { columns: c, counter: doc.counter, epoch: doc.epoch },
    log: locationFields(loc),
    execguard: { source_format: 'osquery' },
  });
}

function auditId(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined || s === '4294967295' || s === '-1' ? undefined : s;
}
