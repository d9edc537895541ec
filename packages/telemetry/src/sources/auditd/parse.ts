import type { ExecEvent } from '@execguard/schema';
import { baseName } from '../../normalise/paths.js';
import { epoch } from '../../normalise/time.js';
import type { SourceLocation } from '../../normalise/types.js';
import { int, toEvent } from '../../normalise/values.js';
import { locationFields } from '../windows/base.js';
import { execveArgs, proctitleArgs } from './args.js';
import type { AuditEvent } from './assemble.js';
import { type AuditLine, unquote, valueText } from './record.js';

export { AuditAssembler } from './assemble.js';
export { parseAuditLine } from './record.js';

type Fields = Map<string, string>;
const fieldMap = (r: AuditLine | undefined): Fields => new Map(r?.fields ?? []);
const enrichedMap = (r: AuditLine | undefined): Fields => new Map(r?.enriched ?? []);

/** The audit user id -1 (4294967295) means "not set" (daemons started before login). */
function auditId(v: string | undefined): string | undefined {
  const s = unquote(v);
  return s === undefined || s === '4294967295' || s === '-1' ? undefined : s;
}

export type AuditResult = { event: ExecEvent } | { skipped: true } | { malformed: string };

/**
 * An assembled audit event → a process start (EXECVE present) or an access decision (FANOTIFY present,
 * written when a fanotify listener such as fapolicyd answers with an audit flag). Other events are skipped.
 */
export function normaliseAuditEvent(ev: AuditEvent, loc: SourceLocation): AuditResult {
  const byType = (t: string) => ev.records.filter((r) => r.type === t);
  const syscallRec = byType('SYSCALL')[0];
  const execve = byType('EXECVE');
  const fan = byType('FANOTIFY')[0];
  if (execve.length === 0 && !fan) return { skipped: true };
  const sc = fieldMap(syscallRec);
  const en = enrichedMap(syscallRec);
  const cwd = valueText(fieldMap(byType('CWD')[0]).get('cwd'));
  const paths = byType('PATH').map((r) => fieldMap(r));
  const exe = valueText(sc.get('exe'));
  const base = {
    '@timestamp': epoch(ev.time),
    event: { kind: 'event', module: 'auditd', dataset: 'auditd.log', sequence: ev.serial },
    host: { name: ev.node, os: { family: 'linux', type: 'linux' } },
    user: {
      id: unquote(sc.get('uid')),
      name: unquote(en.get('UID')),
      group: { id: unquote(sc.get('gid')), name: unquote(en.get('GID')) },
      effective: { id: unquote(sc.get('euid')), name: unquote(en.get('EUID')) },
      audit: { id: auditId(sc.get('auid')), name: auditId(sc.get('auid')) ? unquote(en.get('AUID')) : undefined },
    },
    auditd: {
      session: unquote(sc.get('ses')),
      data: {
        syscall: unquote(en.get('SYSCALL')) ?? unquote(sc.get('syscall')),
        arch: unquote(en.get('ARCH')) ?? unquote(sc.get('arch')),
        tty: unquote(sc.get('tty')),
        exit: unquote(sc.get('exit')),
        key: sc.get('key') === '(null)' ? undefined : (valueText(sc.get('key')) ?? unquote(sc.get('key'))),
      },
      paths: paths.map((p) => ({
        item: int(p.get('item')),
        name: valueText(p.get('name')),
        nametype: unquote(p.get('nametype')),
      })),
    },
    log: locationFields(loc),
    execguard: { source_format: 'auditd' },
  };
  if (execve.length > 0) {
    const { args, problems } = execveArgs(execve.flatMap((r) => r.fields));
    if (problems.length > 0 && args.length === 0) return { malformed: `EXECVE: ${problems.join('; ')}` };
    const title = proctitleArgs(fieldMap(byType('PROCTITLE')[0]).get('proctitle'));
    const argv = args.length > 0 ? args : title;
    const success = unquote(sc.get('success'));
    return {
      event: toEvent({
        ...base,
        event: {
          ...base.event,
          category: ['process'],
          type: ['start'],
          action: 'executed',
          outcome: success === 'yes' ? 'success' : success === 'no' ? 'failure' : undefined,
        },
        process: {
          pid: int(unquote(sc.get('pid'))),
          executable: exe,
          name: valueText(sc.get('comm')) ?? baseName(exe),
          args: argv,
          args_count: argv?.length,
          command_line: argv?.join(' '),
          working_directory: cwd,
          parent: { pid: int(unquote(sc.get('ppid'))) },
        },
      }),
    };
  }
  // FANOTIFY: kernel format "resp=%u fan_type=%u fan_info=%X subj_trust=%u obj_trust=%u" (fan_info is the rule number in hex).
  const f = fieldMap(fan);
  const resp = unquote(f.get('resp'));
  const allowed = resp === '1';
  const info = unquote(f.get('fan_info'));
  const object = valueText(paths[0]?.get('name'));
  // Syscall names come from enriched logs; raw logs give x86_64 numbers (59 execve, 322 execveat).
  const isExec = /^(execve|execveat|59|322)$/.test(base.auditd.data.syscall ?? '');
  return {
    event: toEvent({
      ...base,
      event: {
        ...base.event,
        category: [isExec ? 'process' : 'file'],
        type: [allowed ? 'allowed' : 'denied'],
        action: allowed ? 'allowed' : 'blocked',
        outcome: allowed ? 'success' : 'failure',
      },
      // On an exec the object is the new program and exe= the image that called execve (see fapolicyd/).
      process: isExec
        ? {
            pid: int(unquote(sc.get('pid'))),
            executable: object,
            name: baseName(object),
            parent: { executable: exe, name: baseName(exe) },
          }
        : { pid: int(unquote(sc.get('pid'))), executable: exe, name: baseName(exe) },
      ...(isExec ? {} : { file: { path: object, name: baseName(object) } }),
      rule: { id: info !== undefined && /^[0-9a-f]+$/i.test(info) ? String(Number.parseInt(info, 16)) : undefined },
      fanotify: {
        response: int(resp),
        type: int(unquote(f.get('fan_type'))),
        subject_trust: int(unquote(f.get('subj_trust'))),
        object_trust: int(unquote(f.get('obj_trust'))),
      },
    }),
  };
}
