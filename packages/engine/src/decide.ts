import type { DecidedBy, Decision, ExecEvent, HostContext, Mode, Reason, TraceStep } from '@execguard/schema';
import type { CompiledPolicy, DecideContext } from './api.js';
import type { Compiled, CompiledRule, CompiledWindow, HostView } from './compile.js';
import { selectorMatches } from './compile.js';
import { type CompiledMatch, EvalInput, holds } from './conditions.js';
import { deriveFacts, type Facts } from './facts.js';
import { matchIdentity } from './identity.js';
import { explainTrace } from './trace.js';

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export function hostView(host: HostContext | undefined, event: ExecEvent): HostView {
  if (host) return { id: host.id, name: host.name, role: host.role, labels: host.labels ?? NO_LABELS };
  const id = event.host?.id ?? event.host?.name ?? '';
  return { id, name: event.host?.name, role: undefined, labels: NO_LABELS };
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

function activeWindows(c: Compiled, host: HostView, now: number): CompiledWindow[] {
  if (c.windows.length === 0) return [];
  return c.windows.filter((w) => w.start <= now && now < w.end && selectorMatches(w.source.scope, host));
}

function applies(rule: CompiledRule, host: HostView): boolean {
  return selectorMatches(rule.source.appliesTo, host);
}

/** Rows 1–7 of the precedence table (spec §6). */
function verdictOf(c: Compiled, input: EvalInput, host: HostView, now: number, windows: CompiledWindow[]): Verdict {
  const f = input.facts;
  const exe = f.program.path ?? '';
  const base = { exceptionId: null, windowId: null, ruleTechniques: undefined };
  if (f.loader) {
    return {
      ...base,
      verdict: 'deny',
      decidedBy: 'non-overridable',
      ruleId: 'builtin:loader-invocation',
      reasons: [{ source: 'builtin:loader-invocation', message: 'the dynamic loader was executed directly; its target escapes program identity', fields: { 'process.executable': exe, 'process.args': f.argString } }],
    };
  }
  if (f.memfd) {
    return {
      ...base,
      verdict: 'deny',
      decidedBy: 'non-overridable',
      ruleId: 'builtin:memfd-exec',
      reasons: [{ source: 'builtin:memfd-exec', message: 'execution from an anonymous memory file (fileless)', fields: { 'process.executable': exe } }],
    };
  }

  for (const x of c.exceptions) {
    if (now < x.notBefore || now >= x.expires || !selectorMatches(x.source.scope, host)) continue;
    if (f.content !== 'none' && x.match.approvesContent !== f.content) continue;
    if (!holds(x.match, input)) continue;
    const s = x.source;
    return {
      ...base,
      verdict: 'allow',
      decidedBy: 'exception',
      ruleId: s.id,
      exceptionId: s.id,
      reasons: [
        {
          source: s.id,
          message: `exception ${s.id} (ticket ${s.ticket}, requested by ${s.requester}, approved by ${s.approver}, expires ${s.expires})`,
          fields: matchedFields(x.match, f),
        },
      ],
    };
  }

  let relaxedBy: string | null = null;
  for (const i of c.denyIndex.candidates(f.program)) {
    const rule = c.denyRules[i] as CompiledRule;
    if (!applies(rule, host) || !holds(rule.match, input)) continue;
    const relaxing = windows.find((w) => w.relaxedRules.has(rule.id));
    if (relaxing) {
      relaxedBy ??= relaxing.source.id;
      continue;
    }
    return {
      ...base,
      windowId: relaxedBy,
      verdict: 'deny',
      decidedBy: 'deny-rule',
      ruleId: rule.id,
      ruleTechniques: rule.source.techniques,
      reasons: [{ source: rule.id, message: rule.source.description ?? `deny rule ${rule.id} matched`, fields: matchedFields(rule.match, f) }],
    };
  }

  let programRule: CompiledRule | undefined;
  let contentRule: CompiledRule | undefined;
  let bothRule: CompiledRule | undefined;
  for (const i of c.allowIndex.candidates(f.program)) {
    const rule = c.allowRules[i] as CompiledRule;
    const approvesProgram = rule.match.program !== undefined;
    const approvesContent = f.content !== 'none' && rule.match.approvesContent === f.content;
    if (!approvesProgram && !approvesContent) continue;
    if (!applies(rule, host) || !holds(rule.match, input)) continue;
    if (f.content === 'none' || (approvesProgram && approvesContent)) {
      bothRule = rule;
      break;
    }
    if (approvesProgram) programRule ??= rule;
    else contentRule ??= rule;
  }
  const winner = bothRule ?? (programRule && contentRule ? contentRule : undefined);
  if (winner) {
    const reasons: Reason[] = [
      { source: winner.id, message: winner.source.description ?? `allowed by rule ${winner.id}`, fields: matchedFields(winner.match, f) },
    ];
    if (!bothRule && programRule) {
      reasons.push({ source: programRule.id, message: `interpreter allowed by rule ${programRule.id}`, fields: matchedFields(programRule.match, f) });
    }
    return { ...base, windowId: relaxedBy, verdict: 'allow', decidedBy: 'allow-rule', ruleId: winner.id, reasons };
  }

  const window = windows.find((w) => w.source.relax.defaultDeny === true);
  if (window) {
    const w = window.source;
    return {
      ...base,
      verdict: 'allow',
      decidedBy: 'maintenance-window',
      ruleId: w.id,
      windowId: w.id,
      reasons: [{ source: w.id, message: `maintenance window ${w.id} (ticket ${w.ticket}) relaxes default-deny until ${w.end}`, fields: matchedFields(undefined, f) }],
    };
  }

  let why = 'no rule allows this program';
  if (f.content !== 'none') {
    why = programRule
      ? `interpreter allowed by ${programRule.id}, but no rule approves its ${f.content === 'script' ? 'script' : f.content === 'inline' ? 'inline code' : 'stdin script'}`
      : contentRule
        ? `${f.content} approved by ${contentRule.id}, but no rule allows the interpreter`
        : `neither the interpreter nor its ${f.content} content is allowed`;
  }
  return {
    ...base,
    windowId: relaxedBy,
    verdict: 'deny',
    decidedBy: 'default-deny',
    ruleId: 'default-deny',
    reasons: [{ source: 'default-deny', message: why, fields: matchedFields(undefined, f) }],
  };
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
  const facts = deriveFacts(c.catalogue, event);
  const input = new EvalInput(event, facts);
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
        reasons = [...reasons, { source: relaxing.source.id, message: `maintenance window ${relaxing.source.id} (ticket ${relaxing.source.ticket}) suspends enforcement` }];
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
