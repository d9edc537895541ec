import type { Finding, Selector } from '@execguard/schema';
import { isWindowsPattern } from '../glob.js';
import { ALL_TECHNIQUES, type Check } from './types.js';

// Bypass classes of the programme around the rules: rollout stuck in audit, exceptions and
// maintenance windows that outlive their purpose, Windows content types nobody covers.

const DAY = 86_400_000;
const MAX_EXCEPTION_DAYS = 90;
const MAX_WINDOW_HOURS = 72;

export const auditPeriods: Check = (ctx) => {
  const { policy, now } = ctx;
  const scopes = [
    { id: 'defaults', mode: policy.defaults.mode, auditUntil: policy.defaults.auditUntil, at: '/defaults' },
    ...(policy.scopes ?? []).map((s, i) => ({ id: s.id, mode: s.mode, auditUntil: s.auditUntil, at: `/scopes/${i}` })),
  ];
  return scopes.flatMap((s): Finding[] => {
    if (s.mode === 'enforce') return [];
    const until = s.auditUntil ? Date.parse(s.auditUntil) : undefined;
    if (until !== undefined && until > now) return [];
    return [
      {
        id: until === undefined ? 'EG-L011' : 'EG-L012',
        severity: until === undefined ? 'medium' : 'high',
        title: until === undefined ? `${s.mode} mode without an end date` : `${s.mode} mode past its end date`,
        techniques: [...ALL_TECHNIQUES],
        message:
          until === undefined
            ? `scope ${s.id} is in ${s.mode} mode with no auditUntil: nothing is blocked and nothing says when that ends`
            : `scope ${s.id} stayed in ${s.mode} mode after ${s.auditUntil}: nothing is blocked`,
        fix: 'Review the would-deny events, then promote the scope to enforce, or set a new auditUntil with a reason',
        evidence: { scope: s.id, mode: s.mode, ...(s.auditUntil ? { auditUntil: s.auditUntil } : {}) },
        location: { path: `${s.at}/mode` },
      },
    ];
  });
};

const fleetWide = (sel: Selector) => !sel.hosts && !(sel.labels && Object.keys(sel.labels).length > 0);

export const exceptionHygiene: Check = ({ policy, now }) =>
  (policy.exceptions ?? []).flatMap((x, i): Finding[] => {
    const at = `/exceptions/${i}`;
    const expires = Date.parse(x.expires);
    const start = x.notBefore ? Date.parse(x.notBefore) : undefined;
    if (expires <= now) {
      return [
        {
          id: 'EG-L013',
          severity: 'low',
          title: 'Expired exception still in the policy',
          techniques: [],
          message: `exception ${x.id} (ticket ${x.ticket}) expired ${x.expires}; it no longer applies but hides what the policy really allows`,
          fix: 'Remove it, or renew it through a new approval',
          evidence: { exception: x.id, expires: x.expires },
          location: { path: `${at}/expires` },
        },
      ];
    }
    const out: Finding[] = [];
    const days = (expires - Math.max(start ?? now, now)) / DAY;
    if (days > MAX_EXCEPTION_DAYS) {
      out.push({
        id: 'EG-L015',
        severity: 'medium',
        title: `Exception longer than ${MAX_EXCEPTION_DAYS} days`,
        techniques: [],
        message: `exception ${x.id} runs for another ${Math.round(days)} days; long exceptions become permanent allows nobody reviews`,
        fix: `Shorten it to ${MAX_EXCEPTION_DAYS} days or less, or turn it into a reviewed rule`,
        evidence: { exception: x.id, days: Math.round(days) },
        location: { path: `${at}/expires` },
      });
    }
    if (fleetWide(x.scope)) {
      out.push({
        id: 'EG-L016',
        severity: 'medium',
        title: 'Exception scoped by role only',
        techniques: [],
        message: `exception ${x.id} applies to every host of role ${x.scope.roles?.join(', ')}, not to the hosts that need it`,
        fix: 'Scope the exception to host ids or labels',
        evidence: { exception: x.id, scope: x.scope },
        location: { path: `${at}/scope` },
      });
    }
    return out;
  });

export const windowHygiene: Check = ({ policy, now }) =>
  (policy.maintenanceWindows ?? []).flatMap((w, i): Finding[] => {
    const at = `/maintenanceWindows/${i}`;
    const end = Date.parse(w.end);
    if (end <= now) return [];
    const hours = (end - Date.parse(w.start)) / 3_600_000;
    const out: Finding[] = [];
    if (hours > MAX_WINDOW_HOURS) {
      out.push({
        id: 'EG-L017',
        severity: 'high',
        title: 'Open-ended maintenance window',
        techniques: ['T0863', 'T0849'],
        message: `window ${w.id} (ticket ${w.ticket}) relaxes enforcement for ${Math.round(hours)} hours; anything installed meanwhile runs`,
        fix: `Keep windows to the change itself (under ${MAX_WINDOW_HOURS} hours) and review files first seen inside them`,
        evidence: { window: w.id, hours: Math.round(hours), relax: w.relax },
        location: { path: `${at}/end` },
      });
    }
    if ((w.relax.defaultDeny || w.relax.enforcement) && fleetWide(w.scope)) {
      out.push({
        id: 'EG-L018',
        severity: 'medium',
        title: 'Maintenance window relaxes a whole role',
        techniques: ['T0863'],
        message: `window ${w.id} relaxes ${w.relax.defaultDeny ? 'default-deny' : 'enforcement'} on every host of role ${w.scope.roles?.join(', ')}`,
        fix: 'Scope the window to the hosts named in the change ticket',
        evidence: { window: w.id, scope: w.scope },
        location: { path: `${at}/scope` },
      });
    }
    return out;
  });

// Windows content types that run code without being .exe files (T0863 user execution, T0894 proxies).
const WINDOWS_CONTENT_HOSTS: readonly [string, string][] = [
  ['mshta.exe', 'HTML applications (.hta)'],
  ['hh.exe', 'compiled help (.chm)'],
  ['control.exe', 'control panel items (.cpl)'],
  ['msiexec.exe', 'installers (.msi)'],
];

export const windowsContentCoverage: Check = ({ policy }) => {
  const windowsPolicy = policy.rules.some((r) =>
    [r.match.program, r.match.script].some((id) => id?.signer || (id?.path ?? []).some(isWindowsPattern)),
  );
  if (!windowsPolicy) return [];
  const denyAllProxyUse = policy.rules.some((r) => r.action === 'deny' && r.match.proxyUse === true && !r.match.program);
  return WINDOWS_CONTENT_HOSTS.flatMap(([name, what]): Finding[] => {
    const covered =
      (denyAllProxyUse && name !== 'msiexec.exe') ||
      policy.rules.some((r) => r.action === 'deny' && (r.match.program?.name ?? []).some((n) => n.toLowerCase() === name));
    if (covered) return [];
    return [
      {
        id: 'EG-L010',
        severity: 'medium',
        title: `${what} not covered`,
        techniques: ['T0863', 'T0894'],
        message: `no deny rule covers ${name}, so ${what} opened by a user run code through a signed system binary`,
        fix: `Add a deny rule for ${name} (or proxyUse: true for all programs), with exceptions for the installers you approve`,
        evidence: { binary: name },
      },
    ];
  });
};
