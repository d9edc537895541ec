/**
 * Detectors: pure functions over one normalised ExecEvent (plus, optionally, a small per-host state
 * the caller owns) that say which ATT&CK for ICS techniques of M0938 the event shows, and why.
 *
 * `tagEvent` writes the result into the event as three parallel arrays, one entry per technique:
 * `threat.technique.id[i]`, `threat.technique.name[i]` (ATT&CK for ICS name) and
 * `threat.technique.reason[i]` (the findings for that technique, "detector: reason" joined by "; ").
 * Techniques already present in the event are kept; their reasons are extended.
 */
import type { ExecEvent } from '@execguard/schema';
import { apiExecutionDetector } from './api-execution.js';
import { masqueradeDetector } from './masquerade.js';
import { nativeApiDetector } from './native-api.js';
import { proxyBinaryDetector } from './proxy-binary.js';
import { scriptContentDetector } from './script-content.js';
import type { Detector, Finding, HostState } from './types.js';
import { unusualParentDetector } from './unusual-parent.js';
import { userExecutionDetector } from './user-execution.js';
import { icsName, rememberProcess } from './util.js';

export { apiExecutionDetector } from './api-execution.js';
export { masqueradeDetector } from './masquerade.js';
export { nativeApiDetector } from './native-api.js';
export { proxyBinaryDetector } from './proxy-binary.js';
export { decodeEncodedCommand, scriptContentDetector } from './script-content.js';
export type { Detector, Finding, HostState, KnownProcess, Severity } from './types.js';
export { newHostState } from './types.js';
export { hmiProcessNames, unusualParentDetector, unusualParentDetectorWith } from './unusual-parent.js';
export { contentHandlers, userExecutionDetector } from './user-execution.js';
export { rememberProcess } from './util.js';

export const detectors: readonly Detector[] = [
  proxyBinaryDetector,
  masqueradeDetector,
  scriptContentDetector,
  userExecutionDetector,
  unusualParentDetector,
  apiExecutionDetector,
  nativeApiDetector,
];

/**
 * All findings for one event. With `state`, the event's own process is remembered afterwards so a
 * later child record that names only its parent pid can be judged by the parent's name.
 */
export function detect(event: ExecEvent, state?: HostState, list: readonly Detector[] = detectors): Finding[] {
  const out: Finding[] = [];
  for (const d of list) {
    for (const f of d.detect(event, state)) out.push(f);
  }
  if (state) rememberProcess(event, state);
  return out;
}

const rank = { low: 0, medium: 1, high: 2 } as const;

/** Findings grouped per technique (sorted by id), strongest first inside each group. */
export function groupFindings(findings: readonly Finding[]): Map<string, Finding[]> {
  const by = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = by.get(f.technique);
    if (list) list.push(f);
    else by.set(f.technique, [f]);
  }
  for (const list of by.values()) list.sort((a, b) => rank[b.severity] - rank[a.severity]);
  return new Map([...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Returns a copy of `event` with `threat.technique.{id,name,reason}` set from the detectors'
 * findings (parallel arrays). The input is not modified.
 */
export function tagEvent(event: ExecEvent, state?: HostState, list: readonly Detector[] = detectors): ExecEvent {
  const findings = detect(event, state, list);
  if (findings.length === 0) return event;
  const prev = event.threat?.technique;
  const ids = [...(prev?.id ?? [])];
  const names = [...(prev?.name ?? [])];
  const reasons = [...(prev?.reason ?? [])];
  for (const [technique, fs] of groupFindings(findings)) {
    const text = fs.map((f) => `${f.detector}: ${f.reason}`).join('; ');
    const i = ids.indexOf(technique);
    if (i >= 0) {
      reasons[i] = reasons[i] ? `${reasons[i]}; ${text}` : text;
      names[i] ??= icsName(technique);
    } else {
      ids.push(technique);
      names[ids.length - 1] = icsName(technique);
      reasons[ids.length - 1] = text;
    }
  }
  return { ...event, threat: { ...event.threat, technique: { ...prev, id: ids, name: names, reason: reasons } } };
}
