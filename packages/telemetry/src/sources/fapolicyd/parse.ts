import type { ExecEvent } from '@execguard/schema';
import { baseName } from '../../normalise/paths.js';
import type { SourceLocation } from '../../normalise/types.js';
import { int, str, toEvent } from '../../normalise/values.js';
import { locationFields } from '../windows/base.js';

/**
 * A fapolicyd decision line (syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust by default; any
 * order and subset), optionally behind a syslog prefix:
 *   rule=3 dec=deny_syslog perm=execute auid=-1 pid=25610 exe=/usr/bin/timeout : path=/tmp/x ftype=… trust=0
 * Older releases write `rule:9` and `file=` for the object. Fields left of " : " describe the subject (the
 * calling process), right of it the object.
 */
export function parseFapolicydLine(line: string, loc: SourceLocation): ExecEvent | { error: string } | undefined {
  const start = line.search(/\brule[=:]\d+ dec=/);
  if (start < 0) return undefined; // other fapolicyd messages (startup, stats) are not decisions
  const body = line.slice(start);
  const sep = body.indexOf(' : ');
  const subject = fields(sep >= 0 ? body.slice(0, sep) : body);
  const object = sep >= 0 ? fields(body.slice(sep + 3)) : new Map<string, string>();
  const dec = subject.get('dec');
  if (dec === undefined || !/^(allow|deny)/.test(dec)) return { error: `fapolicyd: unknown decision "${dec ?? ''}"` };
  const allowed = dec.startsWith('allow');
  const perm = subject.get('perm');
  const exe = str(subject.get('exe'));
  const path = str(object.get('path') ?? object.get('file'));
  const pid = int(subject.get('pid'));
  // On perm=execute exe= is still the calling image (the one that called execve), and the object is the program.
  const isExec = perm === 'execute';
  const prefixTime = syslogTime(line.slice(0, start));
  return toEvent({
    ...(prefixTime !== undefined ? { '@timestamp': prefixTime } : {}),
    event: {
      kind: 'event',
      module: 'fapolicyd',
      dataset: 'fapolicyd.decision',
      category: [isExec ? 'process' : 'file'],
      type: [allowed ? 'allowed' : 'denied'],
      action: allowed ? 'allowed' : 'blocked',
      outcome: allowed ? 'success' : 'failure',
    },
    host: { os: { family: 'linux', type: 'linux' } },
    process: isExec
      ? { pid, executable: path, name: baseName(path), parent: { executable: exe, name: baseName(exe) } }
      : { pid, executable: exe, name: baseName(exe) },
    ...(isExec ? {} : { file: { path, name: baseName(path), mime_type: str(object.get('ftype')) } }),
    rule: { id: str(subject.get('rule')) },
    user: { audit: { id: auditId(subject.get('auid')) } },
    fapolicyd: {
      decision: dec,
      perm,
      ftype: str(object.get('ftype')),
      trust: int(object.get('trust')),
      subject_trust: int(subject.get('trust')),
      uid: int(subject.get('uid')),
    },
    log: locationFields(loc),
    execguard: { source_format: 'fapolicyd' },
  });
}

function auditId(v: string | undefined): string | undefined {
  return v === undefined || v === '-1' || v === '4294967295' ? undefined : v;
}

/** Space-separated key=value (or key:value, the old rule:N form); paths with spaces are not escaped by fapolicyd. */
function fields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(\w+)[=:](.*?)(?=\s+\w+[=:]|\s*$)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) if (m[1] && m[2] !== undefined) out.set(m[1], m[2]);
  return out;
}

/** RFC 3339 syslog timestamps (rsyslog's default on Debian 12); BSD "Mon dd hh:mm:ss" has no year, so it is not used. */
function syslogTime(prefix: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/.exec(prefix.trim());
  if (!m?.[1]) return undefined;
  const d = new Date(m[1]);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
