/** Every format `ingest` reads; `auto` detects the container per file and the JSON flavour per record. */
export const FORMATS = [
  'evtx',
  'windows-xml',
  'evtx-json',
  'winlogbeat',
  'nxlog',
  'windows-message-json',
  'wdac-csv',
  'auditd',
  'fapolicyd',
  'osquery',
  'execguard',
] as const;
export type FormatName = (typeof FORMATS)[number];
export type FormatOption = FormatName | 'auto';

export const JSON_FORMATS: ReadonlySet<FormatName> = new Set([
  'evtx-json',
  'winlogbeat',
  'nxlog',
  'windows-message-json',
  'osquery',
  'execguard',
]);

export function isFormatOption(s: string): s is FormatOption {
  return s === 'auto' || (FORMATS as readonly string[]).includes(s);
}
