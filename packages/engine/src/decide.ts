import type { DecidedBy, Decision, ExecEvent, HostContext, Mode, Reason, TraceStep } from '@execguard/schema';
import type { CompiledPolicy, DecideContext } from './api.js';
import type { Compiled, CompiledRule, CompiledWindow, HostView } from './compile.js';
import { selectorMatches } from './compile.js';
import { type CompiledMatch, type EvalInput, holds } from './conditions.js';
import { deriveFacts, type Facts } from './facts.js';
import { matchIdentity } from './identity.js';
import { explainTrace } from './trace.js';

const NO_HOST: HostView = Object.freeze({});

export function hostView(host: HostContext | undefined, event: ExecEvent): HostView {
  if (host) return host;
  const h = event.host;
  if (h === undefined) return NO_HOST;
  // Role and labels come from the caller's host registry, never from the event (spec §1): an event
  // cannot talk its way into a laxer scope. Only copy when the event carries such fields.
  if (!('role' in h) && !('labels' in h)) return h;
  return { id: h.id, name: h.name };
}

/** Event fields behind a match, for the decision's reasons. */
function matchedFields(m: CompiledMatch | undefined, f: Facts): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  const s = m?.source;
  if (!s || s.program) {
    if (f.program.sha256 && (!s || s.program?.sha256)) out['process.hash.sha256'] = f.program.sha256;
    if (f.program.path) out['process.executable'] = f.program.path;
  }
  if (s?.args) out['process.args'] = f.argString;
  if (f.content !== 'none') {
    if (f.script?.path) out['file.path'] = f.script.path;
    if (f.script?.sha256) out['file.hash.sha256'] = f.script.sha256;
    if (f.contentFlag) out['execguard.content'] = `${f.content} (${f.contentFlag})`;
  }
  return out;
}

interface Verdict {
  readonly verdict: 'allow' | 'deny';
  readonly decidedBy: DecidedBy;
  readonly ruleId: string;
  readonly exceptionId: string | null;
  readonly windowId: string | null;
  readonly reasons: Reason[];
  readonly ruleTechniques: readonly string[] | undefined;
}

const NO_WINDOWS: CompiledWindow[] = [];

/** One shape for every verdict (keeps the hot path monomorphic). */
function verdict(
  v: 'allow' | 'deny',
  decidedBy: DecidedBy,
  ruleId: string,
  reasons: Reason[],
  windowId: string | null = null,
  exceptionId: string | null = null,
  ruleTechniques: readonly string[] | undefined = undefined,
): Verdict {
  return { verdict: v, decidedBy, ruleId, exceptionId, windowId, reasons, ruleTechniques };
}

function activeWindows(c: Compiled, host: HostView, now: number): CompiledWindow[] {
  if (c.windows.length === 0) return NO_WINDOWS;
  return c.windows.filter((w) => w.start <= now && now < w.end && selectorMatches(w.source.scope, host));
}

function applies(rule: CompiledRule, host: HostView): boolean {
  return rule.appliesTo === undefined || selectorMatches(rule.appliesTo, host);
}

/** Rows 1–7 of the precedence table (spec §6). */
function verdictOf(c: Compiled, input: EvalInput, host: HostView, now: number, windows: CompiledWindow[]): Verdict {
  const f = input.facts;
  const exe = f.program.path ?? '';
  if (f.loader) {
    return verdict('deny', 'non-overridable', 'builtin:loader-invocation', [
      {
        source: 'builtin:loader-invocation',
        message: 'the dynamic loader was executed directly; its target escapes program identity',
        fields: { 'process.executable': exe, 'process.args': f.argString },
      },
    ]);
  }
  if (f.memfd) {
    return verdict('deny', 'non-overridable', 'builtin:memfd-exec', [
      {
        source: 'builtin:memfd-exec',
        message: 'execution from an anonymous memory file (fileless)',
        fields: { 'process.executable': exe },
      },
    ]);
  }

  for (const x of c.exceptions) {
    if (now < x.notBefore || now >= x.expires || !selectorMatches(x.source.scope, host)) continue;
    if (f.content !== 'none' && x.match.approvesContent !== f.content) continue;
    if (!holds(x.match, input)) continue;
    const s = x.source;
    const message = `exception ${s.id} (ticket ${s.ticket}, requested by ${s.requester}, approved by ${s.approver}, expires ${s.expires})`;
    return verdict('allow', 'exception', s.id, [{ source: s.id, message, fields: matchedFields(x.match, f) }], null, s.id);
  }

  let relaxedBy: string | null = null;
  for (const i of c.denyIndex.candidates(f.program, f.content)) {
    const rule = c.denyRules[i] as CompiledRule;
    if (!applies(rule, host) || !holds(rule.match, input, undefined, true)) continue;
    const relaxing = windows.find((w) => w.relaxedRules.has(rule.id));
    if (relaxing) {
      relaxedBy ??= relaxing.source.id;
      continue;
    }
    const reason = { source: rule.id, message: rule.message, fields: matchedFields(rule.match, f) };
    return verdict('deny', 'deny-rule', rule.id, [reason], relaxedBy, null, rule.techniques);
  }

  let programRule: CompiledRule | undefined;
  let contentRule: CompiledRule | undefined;
  let bothRule: CompiledRule | undefined;
  for (const i of c.allowIndex.candidates(f.program, f.content)) {
    const rule = c.allowRules[i] as CompiledRule;
    const approvesProgram = rule.match.program !== undefined;
    const approvesContent = f.content !== 'none' && rule.match.approvesContent === f.content;
    if (!approvesProgram && !approvesContent) continue;
    if (!applies(rule, host) || !holds(rule.match, input, undefined, true)) continue;
    if (f.content === 'none' || (approvesProgram && approvesContent)) {
      bothRule = rule;
      break;
    }
    if (approvesProgram) programRule ??= rule;
    else contentRule ??= rule;
  }
  const winner = bothRule ?? (programRule && contentRule ? contentRule : undefined);
  if (winner) {
    const reasons: Reason[] = [{ source: winner.id, message: winner.message, fields: matchedFields(winner.match, f) }];
    if (!bothRule && programRule) {
      reasons.push({
        source: programRule.id,
        message: `interpreter allowed by rule ${programRule.id}`,
        fields: matchedFields(programRule.match, f),
      });
    }
    return verdict('allow', 'allow-rule', winner.id, reasons, relaxedBy);
  }

  const window = windows.find((w) => w.source.relax.defaultDeny === true);
  if (window) {
    const w = window.source;
    const message = `maintenance window ${w.id} (ticket ${w.ticket}) relaxes default-deny until ${w.end}`;
    return verdict('allow', 'maintenance-window', w.id, [{ source: w.id, message, fields: matchedFields(undefined, f) }], w.id);
  }

  let why = 'no rule allows this program';
  if (f.content !== 'none') {
    const what = f.content === 'script' ? 'script' : f.content === 'inline' ? 'inline code' : 'stdin script';
    why = programRule
      ? `interpreter allowed by ${programRule.id}, but no rule approves its ${what}`
      : contentRule
        ? `${what} approved by ${contentRule.id}, but no rule allows the interpreter`
        : `neither the interpreter nor its ${what} is allowed`;
  }
  return verdict(
    'deny',
    'default-deny',
    'default-deny',
    [{ source: 'default-deny', message: why, fields: matchedFields(undefined, f) }],
    relaxedBy,
  );
}

/** Decide one execution (spec §6–§8). Pure: same inputs, same decision. */
export function decide(policy: CompiledPolicy, event: ExecEvent, ctx: DecideContext): Decision {
  const c = policy as Compiled;
  const host = hostView(ctx.host, event);
  const now = ctx.now;
  let scopeId = 'default';
  let mode: Mode = c.policy.defaults.mode;
  let failMode = c.policy.defaults.failMode;
  for (const s of c.scopes) {
    if (selectorMatches(s.selector, host)) {
      scopeId = s.id;
      mode = s.mode;
      failMode = s.failMode ?? failMode;
      break;
    }
  }
  const input = deriveFacts(c.catalogue, event);
  const facts = input.facts;
  const windows = activeWindows(c, host, now);
  const v = verdictOf(c, input, host, now, windows);

  let effect: Decision['effect'] = 'allowed';
  let windowId = v.windowId;
  let neverBlockId: string | null = null;
  let reasons = v.reasons;
  if (v.verdict === 'deny') {
    effect = 'denied';
    if (mode !== 'enforce') {
      effect = 'would-deny';
    } else if (v.decidedBy !== 'non-overridable') {
      const relaxing = windows.find((w) => w.source.relax.enforcement === true);
      const nb = relaxing
        ? undefined
        : c.neverBlock.find((n) => selectorMatches(n.source.appliesTo, host) && matchIdentity(n.program, facts.program));
      if (relaxing) {
        effect = 'would-deny';
        windowId = relaxing.source.id;
        reasons = [
          ...reasons,
          {
            source: relaxing.source.id,
            message: `maintenance window ${relaxing.source.id} (ticket ${relaxing.source.ticket}) suspends enforcement`,
          },
        ];
      } else if (nb) {
        effect = 'would-deny';
        neverBlockId = nb.source.id;
        reasons = [...reasons, { source: nb.source.id, message: `never-block: ${nb.source.reason}` }];
      }
    }
  }

  let techniques = facts.techniques;
  if (v.ruleTechniques && v.ruleTechniques.length > 0) techniques = [...new Set([...techniques, ...v.ruleTechniques])].sort();

  const decision: Decision = {
    verdict: v.verdict,
    effect,
    decidedBy: v.decidedBy,
    ruleId: v.ruleId,
    exceptionId: v.exceptionId,
    windowId,
    neverBlockId,
    reasons,
    techniques,
    mode,
    failMode,
    scopeId,
    policy: c.ref,
  };
  if (!ctx.explain) return decision;
  return { ...decision, trace: explainTrace(c, input, host, now, decision) satisfies readonly TraceStep[] };
}
