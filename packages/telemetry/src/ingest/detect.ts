import { isObject, type JsonObject } from '../normalise/types.js';
import { WDAC_CSV_HEADER_PREFIX } from '../sources/windows/wdac-csv.js';
import type { FormatName } from './formats.js';
import { sniffEncoding } from './lines.js';

/** The container of a file, decided from its first bytes. JSON files are refined per record (jsonFlavour). */
export type Container = 'evtx' | 'windows-xml' | 'json' | 'wdac-csv' | 'auditd' | 'fapolicyd';

export function detectContainer(head: Uint8Array): Container | undefined {
  if (Buffer.from(head.subarray(0, 8)).toString('latin1') === 'ElfFile\0') return 'evtx';
  const { encoding, bom } = sniffEncoding(head);
  // Cut at an even length so a UTF-16 code unit is never split.
  const body = head.subarray(bom, bom + ((head.length - bom) & ~1));
  const text = new TextDecoder(encoding).decode(body).replace(/^[\s\uFEFF]+/, '');
  if (text.startsWith('<')) return 'windows-xml';
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  if (text.startsWith(WDAC_CSV_HEADER_PREFIX)) return 'wdac-csv';
  const firstLines = text.split('\n', 20);
  if (firstLines.some((l) => /type=\S+ msg=audit\(\d/.test(l))) return 'auditd';
  if (firstLines.some((l) => /\brule[=:]\d+ dec=/.test(l))) return 'fapolicyd';
  return undefined;
}

/** The flavour of one JSON record, from the keys each exporter is known to write. */
export function jsonFlavour(o: JsonObject): FormatName | undefined {
  // ExecGuard's own output (execguard ingest, the agent) carries winlog.* too: recognise it first, so a
  // re-read keeps the event as it was instead of normalising it again as Winlogbeat.
  if (isObject(o.execguard) && typeof o.execguard.source_format === 'string' && isObject(o.process)) return 'execguard';
  if (isObject(o.Event) && isObject(o.Event.System)) return 'evtx-json';
  if (isObject(o.System)) return 'evtx-json';
  if (isObject(o.winlog)) return 'winlogbeat';
  if (o.EventID !== undefined) {
    if ('SourceModuleName' in o || 'EventReceivedTime' in o || 'RecordNumber' in o || 'SourceModuleType' in o) return 'nxlog';
    if ('TimeCreated' in o || 'Message' in o) return 'windows-message-json';
    return 'nxlog';
  }
  if (typeof o.name === 'string' && (isObject(o.columns) || isObject(o.diffResults) || Array.isArray(o.snapshot)))
    return 'osquery';
  if (isObject(o.process)) return 'execguard';
  return undefined;
}
