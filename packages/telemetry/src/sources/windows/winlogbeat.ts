import { isObject, type JsonObject } from '../../normalise/types.js';
import { int, str } from '../../normalise/values.js';
import { setIf, type WinRecord } from './record.js';

/** Winlogbeat / Elastic Agent documents: winlog.{event_data|user_data, event_id, record_id, …}. */
export function fromWinlogbeat(o: JsonObject): WinRecord {
  const w = isObject(o.winlog) ? o.winlog : {};
  const data = isObject(w.event_data) ? w.event_data : isObject(w.user_data) ? w.user_data : {};
  const rec: { -readonly [K in keyof WinRecord]: WinRecord[K] } = { format: 'winlogbeat', data };
  const ev = isObject(o.event) ? o.event : {};
  const host = isObject(o.host) ? o.host : {};
  setIf(rec, 'provider', str(w.provider_name) ?? str(ev.provider));
  setIf(rec, 'channel', str(w.channel));
  setIf(rec, 'eventId', int(w.event_id) ?? int(ev.code));
  setIf(rec, 'recordId', int(w.record_id));
  setIf(rec, 'computer', str(w.computer_name) ?? str(host.name));
  setIf(rec, 'time', o['@timestamp'] ?? w.time_created);
  setIf(rec, 'userSid', isObject(w.user) ? str(w.user.identifier) : undefined);
  setIf(rec, 'executionPid', isObject(w.process) ? int(w.process.pid) : undefined);
  setIf(rec, 'activityId', str(w.activity_id));
  setIf(rec, 'message', str(o.message));
  return rec;
}
