import { isoTime } from '../../normalise/time.js';
import type { SourceLocation } from '../../normalise/types.js';
import { guid } from '../../normalise/values.js';
import type { WinRecord } from './record.js';

/** Where an output event came from, in ECS terms: log.file.path + log.file.line, or log.offset for binary files. */
export function locationFields(loc: SourceLocation): Record<string, unknown> {
  return {
    file: { path: loc.file, ...(loc.line !== undefined ? { line: loc.line } : {}) },
    ...(loc.offset !== undefined ? { offset: loc.offset } : {}),
  };
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
  const time = isoTime(rec.time);
  return {
    ...(time !== undefined ? { '@timestamp': time } : {}),
    event: { kind: 'event', module, dataset, ...(rec.eventId !== undefined ? { code: String(rec.eventId) } : {}) },
    host: { ...(rec.computer !== undefined ? { name: rec.computer } : {}), os: { family: 'windows', type: 'windows' } },
    process: {},
    winlog: {
      ...(rec.channel !== undefined ? { channel: rec.channel } : {}),
      ...(rec.eventId !== undefined ? { event_id: rec.eventId } : {}),
      ...(rec.recordId !== undefined ? { record_id: rec.recordId } : {}),
      ...(rec.provider !== undefined ? { provider_name: rec.provider } : {}),
      ...(rec.computer !== undefined ? { computer_name: rec.computer } : {}),
      ...(rec.userSid !== undefined ? { user: { identifier: rec.userSid } } : {}),
      ...(rec.executionPid !== undefined ? { process: { pid: rec.executionPid } } : {}),
      ...(guid(rec.activityId) !== undefined ? { activity_id: guid(rec.activityId) } : {}),
      event_data: rec.data,
    },
    log: locationFields(loc),
    execguard: { source_format: rec.format },
  };
}
