import type { JsonObject } from '../../normalise/types.js';
import { int, str } from '../../normalise/values.js';
import { setIf, type WinRecord } from './record.js';

// Envelope keys NXLog (im_msvistalog) and the TimeCreated/Message exporter add around the event's own
// data fields. Everything else in the flat object is EventData.
const NXLOG_ENVELOPE = new Set([
  'EventID',
  'RecordNumber',
  'ProviderGuid',
  'SourceName',
  'OpcodeValue',
  'EventTime',
  'EventReceivedTime',
  'AccountName',
  'AccountType',
  'Domain',
  'UserID',
  'SourceModuleName',
  'SourceModuleType',
  'ExecutionProcessID',
  'ThreadID',
  'Category',
  'Severity',
  'SeverityValue',
  'EventType',
  'Channel',
  'Opcode',
  'Task',
  'Keywords',
  'Version',
  'Hostname',
  'host',
  'port',
  'tags',
  '@timestamp',
  '@version',
  'Message',
  'ActivityID',
  'RelatedActivityID',
  'ERROR_EVT_UNRESOLVED',
  'Level',
  'TimeCreated',
  'ProviderName',
]);

/** NXLog-style JSON: every field at the top level, envelope keys as listed above. */
export function fromNxlog(o: JsonObject): WinRecord {
  return flat(o, 'nxlog');
}

/** The TimeCreated/Message exporter (OTRF Security-Datasets): flat fields plus TimeCreated and Message. */
export function fromMessageJson(o: JsonObject): WinRecord {
  return flat(o, 'windows-message-json');
}

function flat(o: JsonObject, format: string): WinRecord {
  const data: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (!NXLOG_ENVELOPE.has(k)) data[k] = v;
  const message = str(o.Message);
  const rec: { -readonly [K in keyof WinRecord]: WinRecord[K] } = { format, data };
  setIf(rec, 'provider', str(o.SourceName) ?? str(o.ProviderName));
  setIf(rec, 'channel', str(o.Channel));
  setIf(rec, 'eventId', int(o.EventID));
  setIf(rec, 'recordId', int(o.RecordNumber));
  setIf(rec, 'computer', str(o.Hostname) ?? str(o.host));
  // NXLog's EventTime is local time without a zone; @timestamp (added by the shipper) is UTC, so prefer it.
  setIf(rec, 'time', o['@timestamp'] ?? o.TimeCreated);
  setIf(rec, 'userSid', str(o.UserID));
  setIf(rec, 'executionPid', int(o.ExecutionProcessID));
  setIf(rec, 'activityId', str(o.ActivityID));
  setIf(rec, 'message', message);
  return rec;
}

/**
 * Recovers "Key: value" fields from a rendered message, for exporters that dropped a field that collides
 * with an envelope key (Sysmon ProcessId vs the System ProcessID in some NXLog exports).
 */
export function messageField(message: string | undefined, key: string): string | undefined {
  if (message === undefined) return undefined;
  const re = new RegExp(`(?:^|\\r?\\n)${key}:[ \\t]*([^\\r\\n]*)`);
  return str(re.exec(message)?.[1]?.trim());
}
