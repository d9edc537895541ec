import type { Decision, TraceStep } from '@execguard/schema';
import type { Compiled, HostView } from './compile.js';
import { selectorMatches } from './compile.js';
import { type EvalInput, holds } from './conditions.js';
import { matchIdentity } from './identity.js';

/**
 * The full evaluation trace for explain mode: every scope, builtin, exception, rule, window and
 * never-block entry with its outcome and why. Built after the decision, from the same functions,
 * so explaining never changes what is decided.
 */
export function explainTrace(c: Compiled, input: EvalInput, host: HostView, now: number, d: Decision): TraceStep[] {
  const f = input.facts;
  const steps: TraceStep[] = [];
  const step = (phase: TraceStep['phase'], subject: string, outcome: TraceStep['outcome'], detail: string) =>
    steps.push({ phase, subject, outcome, detail });
  const why = (fn: (notes: string[]) => boolean): [boolean, string] => {
    const notes: string[] = [];
    const ok = fn(notes);
    return [ok, notes.join('; ') || (ok ? 'all conditions hold' : 'does not hold')];
  };

  step(
    'scope',
    d.scopeId,
    'info',
    `host ${host.id ?? host.name ?? '(unknown)'}${host.role ? ` (role ${host.role})` : ''}: mode ${d.mode}, fail ${d.failMode}`,
  );
  step(
    'facts',
    'event',
    'info',
    [
      `platform ${f.platform}`,
      `program ${f.program.path ?? f.program.basename ?? '(unknown)'}`,
      f.program.sha256 ? `sha256 ${f.program.sha256}` : 'no sha256',
      f.interpreter
        ? `interpreter ${f.interpreter.id}, content ${f.content}${f.script?.path ? ` ${f.script.path}` : ''}`
        : 'not an interpreter',
      f.proxy ? `proxy use of ${f.proxy.binary}: ${f.proxy.patterns.join(', ')}` : '',
      f.masquerade ? `masquerade: ${f.masquerade}` : '',
      f.userWritable ? 'user-writable location' : '',
      `techniques ${f.techniques.join(', ') || 'none'}`,
    ]
      .filter(Boolean)
      .join('; '),
  );
  step(
    'non-overridable',
    'builtin:loader-invocation',
    f.loader ? 'matched' : 'not-matched',
    f.loader ? 'direct loader invocation' : 'not a loader',
  );
  step(
    'non-overridable',
    'builtin:memfd-exec',
    f.memfd ? 'matched' : 'not-matched',
    f.memfd ? 'memfd execution' : 'not a memory file',
  );

  for (const x of c.exceptions) {
    const id = x.source.id;
    if (now < x.notBefore || now >= x.expires)
      step('exception', id, 'skipped', now >= x.expires ? `expired ${x.source.expires}` : `not before ${x.source.notBefore}`);
    else if (!selectorMatches(x.source.scope, host)) step('exception', id, 'skipped', 'host out of scope');
    else {
      const [ok, detail] = why((n) => holds(x.match, input, n));
      const covers = f.content === 'none' || x.match.approvesContent === f.content;
      step(
        'exception',
        id,
        ok && covers ? 'matched' : 'not-matched',
        ok && !covers ? `holds, but does not approve the ${f.content} content` : detail,
      );
    }
  }
  for (const r of c.denyRules) {
    if (!selectorMatches(r.source.appliesTo, host)) step('deny-rule', r.id, 'skipped', 'does not apply to this host');
    else {
      const [ok, detail] = why((n) => holds(r.match, input, n));
      step('deny-rule', r.id, ok ? 'matched' : 'not-matched', detail);
    }
  }
  for (const r of c.allowRules) {
    if (!selectorMatches(r.source.appliesTo, host)) step('allow-rule', r.id, 'skipped', 'does not apply to this host');
    else {
      const [ok, detail] = why((n) => holds(r.match, input, n));
      const approves = [
        r.match.program ? 'program' : '',
        f.content !== 'none' && r.match.approvesContent === f.content ? f.content : '',
      ]
        .filter(Boolean)
        .join(' + ');
      step(
        'allow-rule',
        r.id,
        ok ? 'matched' : 'not-matched',
        ok ? `approves ${approves || 'nothing for this content'}` : detail,
      );
    }
  }
  for (const w of c.windows) {
    const active = w.start <= now && now < w.end && selectorMatches(w.source.scope, host);
    step(
      'window',
      w.source.id,
      active ? 'matched' : 'skipped',
      active ? `active: relaxes ${Object.keys(w.source.relax).join(', ')}` : 'not active for this host now',
    );
  }
  for (const n of c.neverBlock) {
    const [ok, detail] = why((notes) => selectorMatches(n.source.appliesTo, host) && matchIdentity(n.program, f.program, notes));
    step('never-block', n.source.id, ok ? 'matched' : 'not-matched', detail);
  }
  step('default', d.ruleId, 'info', `decided by ${d.decidedBy} ${d.ruleId}: verdict ${d.verdict}`);
  step('mode', d.scopeId, 'info', `effect ${d.effect} (mode ${d.mode})`);
  return steps;
}
