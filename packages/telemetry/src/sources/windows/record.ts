import { isObject, type JsonObject } from '../../normalise/types.js';
import { int, str } from '../../normalise/values.js';

/**
 * One Windows event, whatever container it came in (rendered XML, evtx_dump JSON, Winlogbeat,
 * NXLog, the TimeCreated/Message exporter, .evtx). Event-type normalisers only ever see this.
 */
export interface WinRecord {
  readonly format: string;
  readonly provider?: string;
  readonly channel?: string;
  readonly eventId?: number;
  readonly recordId?: number;
  readonly computer?: string;
  readonly time?: unknown;
  /** Security/UserID of the System block: the account that logged the event. */
  readonly userSid?: string;
  /** System Execution ProcessID: the process that logged the event (PowerShell: the host process). */
  readonly executionPid?: number;
  readonly activityId?: string;
  /** EventData (named Data elements) or the fields of the UserData child. */
  readonly data: JsonObject;
  /** The rendered message, when the exporter kept it (used to recover fields some exporters drop). */
  readonly message?: string;
}

/** An XML-derived JSON node's attribute, in any of the shapes exporters produce. */
export function attr(node: unknown, name: string): unknown {
  if (!isObject(node)) return undefined;
  const attrs = node['#attributes'];
  if (isObject(attrs) && name in attrs) return attrs[name];
  return node[name] ?? node[`@${name}`] ?? node[`@_${name}`];
}

/** An element's text: the value itself, or its #text when it also has attributes. */
export function text(node: unknown): unknown {
  if (isObject(node)) return node['#text'];
  return node;
}

/** EventData/UserData in the JSON shapes of evtx_dump, python-evtx and our own EVTX reader. */
export function eventFields(event: JsonObject): JsonObject {
  const ed = event.EventData;
  if (isObject(ed)) {
    const data = ed.Data;
    if (isObject(data) && !('#text' in data) && !('Name' in data)) return data; // our EVTX reader: Data = { Name: value }
    if (Array.isArray(data)) return namedDataList(data);
    if (isObject(data)) return namedDataList([data]);
    // python-evtx layout: the fields are EventData's members. Copy only to drop attributes (hot path).
    if (!('#attributes' in ed) && !('xmlns' in ed)) return ed;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(ed)) if (k !== '#attributes' && k !== 'xmlns') out[k] = v;
    return out;
  }
  const ud = event.UserData;
  if (isObject(ud)) {
    // UserData holds one provider-defined element (AppLocker: RuleAndFileData); its children are the fields.
    for (const [k, v] of Object.entries(ud)) if (k !== '#attributes' && isObject(v)) return stripAttributes(v);
  }
  return {};
}

function namedDataList(list: unknown[]): JsonObject {
  const out: JsonObject = {};
  list.forEach((d, i) => {
    const name = str(attr(d, 'Name'));
    out[name ?? `Data${i}`] = isObject(d) ? (d['#text'] ?? null) : d;
  });
  return out;
}

function stripAttributes(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (k !== '#attributes' && k !== 'xmlns') out[k] = v;
  return out;
}

/** From an Event object ({System, EventData|UserData}) as evtx_dump, python-evtx or our EVTX reader render it. */
export function fromEventObject(event: JsonObject, format: string): WinRecord {
  const sys = isObject(event.System) ? event.System : {};
  const rec: { -readonly [K in keyof WinRecord]: WinRecord[K] } = { format, data: eventFields(event) };
  setIf(rec, 'provider', str(attr(sys.Provider, 'Name')));
  setIf(rec, 'channel', str(text(sys.Channel)));
  setIf(rec, 'eventId', int(text(sys.EventID)));
  setIf(rec, 'recordId', int(text(sys.EventRecordID)));
  setIf(rec, 'computer', str(text(sys.Computer)));
  setIf(rec, 'time', attr(sys.TimeCreated, 'SystemTime'));
  setIf(rec, 'userSid', str(attr(sys.Security, 'UserID')));
  setIf(rec, 'executionPid', int(attr(sys.Execution, 'ProcessID')));
  setIf(rec, 'activityId', str(attr(sys.Correlation, 'ActivityID')));
  return rec;
}

export function setIf<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}
