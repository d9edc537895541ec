import { isoTime } from '../../normalise/time.js';
import type { SourceLocation } from '../../normalise/types.js';
import { compactMember, guid } from '../../normalise/values.js';
import type { WinRecord } from './record.js';

/** Where an output event came from, in ECS terms: log.file.path + log.file.line, or log.offset for binary files. */
export function locationFields(loc: SourceLocation): Record<string, unknown> {
  const file: Record<string, unknown> = { path: loc.file };
  if (loc.line !== undefined) file.line = loc.line;
  const out: Record<string, unknown> = { file };
  if (loc.offset !== undefined) out.offset = loc.offset;
  return out;
}

/** The part every Windows event shares: time, host, winlog.* (with the untouched event_data) and traceability. */
/** A draft event: members may be undefined until toEvent() compacts it. */
export interface EventDraft {
  event: Record<string, unknown>;
  winlog: Record<string, unknown>;
  execguard: Record<string, unknown>;
  process: object;
  [key: string]: unknown;
}

export function windowsBase(rec: WinRecord, loc: SourceLocation, module: string, dataset: string): EventDraft {
  // Built by assignment rather than conditional spreads: this runs once per Windows record and spreading
  // `...(x ? {…} : {})` allocates and copies a temporary object for every optional member.
  const time = isoTime(rec.time);
  const event: Record<string, unknown> = { kind: 'event', module, dataset };
  if (rec.eventId !== undefined) event.code = String(rec.eventId);
  const host: Record<string, unknown> = {};
  if (rec.computer !== undefined) host.name = rec.computer;
  host.os = { family: 'windows', type: 'windows' };
  const winlog: Record<string, unknown> = {};
  if (rec.channel !== undefined) winlog.channel = rec.channel;
  if (rec.eventId !== undefined) winlog.event_id = rec.eventId;
  if (rec.recordId !== undefined) winlog.record_id = rec.recordId;
  if (rec.provider !== undefined) winlog.provider_name = rec.provider;
  if (rec.computer !== undefined) winlog.computer_name = rec.computer;
  if (rec.userSid !== undefined) winlog.user = { identifier: rec.userSid };
  if (rec.executionPid !== undefined) winlog.process = { pid: rec.executionPid };
  const activity = rec.activityId === undefined ? undefined : guid(rec.activityId);
  if (activity !== undefined) winlog.activity_id = activity;
  winlog.event_data = rec.data;
  const draft: EventDraft = {
    event,
    host,
    process: {},
    winlog,
    log: locationFields(loc),
    execguard: { source_format: rec.format },
  };
  return time !== undefined ? { '@timestamp': time, ...draft } : draft;
}

/** The members of a draft that sources extend rather than replace. */
const MERGED = new Set(['event', 'winlog', 'execguard']);

/**
 * base + a source's own members, like `{ ...base, event: { ...base.event, ...patch.event }, …, ...rest }` (same
 * key order) but by mutating the fresh base: spreading with overrides takes V8's slow path and was the largest
 * cost of normalising a record. event, winlog and execguard are merged one level; other members are set.
 */
export function withBase(base: EventDraft, patch: Record<string, unknown>): EventDraft {
  const b = base as Record<string, unknown>;
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    const cur = b[k];
    if (MERGED.has(k) && typeof cur === 'object' && cur !== null && typeof v === 'object' && v !== null) Object.assign(cur, v);
    else b[k] = v;
  }
  return base;
}

/**
 * The start of what `toEvent(withBase(windowsBase(rec, loc, module, dataset), { event: { category: [category],
 * type: [type], action }, process, …, winlog: { logon } }))` gives, built directly for normalisers on the hot path
 * (Sysmon): every member up to `execguard`, in the same order, already compact. `process` and `logon` must be
 * compact too (no undefined members, no empty objects; undefined when nothing is left). The caller appends its
 * later members (also compact) and then, when `process` was undefined, `process: {}` last, as toEvent does.
 * Only winlog.event_data, the record's own data, still goes through compact.
 */
export function windowsEventHead(
  rec: WinRecord,
  loc: SourceLocation,
  module: string,
  dataset: string,
  category: string,
  type: string,
  action: string,
  process: Record<string, unknown> | undefined,
  logon: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const time = isoTime(rec.time);
  if (time !== undefined) out['@timestamp'] = time;
  const event: Record<string, unknown> = { kind: 'event', module, dataset };
  if (rec.eventId !== undefined) event.code = String(rec.eventId);
  event.category = [category];
  event.type = [type];
  event.action = action;
  out.event = event;
  const host: Record<string, unknown> = {};
  if (rec.computer !== undefined) host.name = rec.computer;
  host.os = { family: 'windows', type: 'windows' };
  out.host = host;
  if (process !== undefined) out.process = process;
  const winlog: Record<string, unknown> = {};
  if (rec.channel !== undefined) winlog.channel = rec.channel;
  if (rec.eventId !== undefined) winlog.event_id = rec.eventId;
  if (rec.recordId !== undefined) winlog.record_id = rec.recordId;
  if (rec.provider !== undefined) winlog.provider_name = rec.provider;
  if (rec.computer !== undefined) winlog.computer_name = rec.computer;
  if (rec.userSid !== undefined) winlog.user = { identifier: rec.userSid };
  if (rec.executionPid !== undefined) winlog.process = { pid: rec.executionPid };
  const activity = rec.activityId === undefined ? undefined : guid(rec.activityId);
  if (activity !== undefined) winlog.activity_id = activity;
  const data = compactMember(rec.data);
  if (data !== undefined) winlog.event_data = data;
  if (logon !== undefined) winlog.logon = logon;
  // winlog is never empty here in practice (event_id), but toEvent would drop it if it were.
  for (const _ in winlog) {
    out.winlog = winlog;
    break;
  }
  out.log = locationFields(loc);
  out.execguard = { source_format: rec.format };
  return out;
}
