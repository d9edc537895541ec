import type { DecidedBy, Decision, ExecEvent, HostContext, Reason, TraceStep } from '@execguard/schema';
import type { CompiledPolicy, DecideContext } from './api.js';
import type { Compiled, CompiledException, CompiledRule, CompiledWindow, HostView, Setting } from './compile.js';
import { selectorMatches } from './compile.js';
import { type CompiledMatch, type EvalInput, holds } from './conditions.js';
import { type Facts, giveBackFacts, takeFacts } from './facts.js';
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
  const s = m?.source;
  const p = f.program;
  // Hot path (a program identified by hash and path, no content, no argument rule): one literal,
  // with the keys in the order the general code below would add them.
  if (f.content === 'none' && !s?.args && (!s || s.program) && p.sha256 && p.path && (!s || s.program?.sha256)) {
    return { 'process.hash.sha256': p.sha256, 'process.executable': p.path };
  }
  const out: Record<string, string | boolean> = {};
  if (!s || s.program) {
    if (p.sha256 && (!s || s.program?.sha256)) out['process.hash.sha256'] = p.sha256;
    if (p.path) out['process.executable'] = p.path;
  }
  if (s?.args) out['process.args'] = f.argString;
  if (f.content !== 'none') {
    if (f.script?.path) out['file.path'] = f.script.path;
    if (f.script?.sha256) out['file.hash.sha256'] = f.script.sha256;
    if (f.contentFlag) out['execguard.content'] = `${f.content} (${f.contentFlag})`;
  }
  return out;
}

/** A decision while it is being made (decide() may still change its effect and reasons). */
type Draft = { -readonly [K in keyof Decision]: Decision[K] };

const NO_WINDOWS: CompiledWindow[] = [];

/** One shape for every decision (keeps the hot path monomorphic); the effect follows the verdict until decide() adjusts it. */
function draft(
  s: Setting,
  v: 'allow' | 'deny',
  decidedBy: DecidedBy,
  ruleId: string,
  reasons: Reason[],
  techniques: readonly string[],
  windowId: string | null = null,
  exceptionId: string | null = null,
): Draft {
  return {
    verdict: v,
    effect: v === 'deny' ? 'denied' : 'allowed',
    decidedBy,
    ruleId,
    exceptionId,
    windowId,
    neverBlockId: null,
    reasons,
    techniques,
    mode: s.mode,
    failMode: s.failMode,
    scopeId: s.scopeId,
    policy: s.ref,
  };
}

function activeWindows(c: Compiled, host: HostView, now: number): CompiledWindow[] {
  if (c.windows.length === 0) return NO_WINDOWS;
  return c.windows.filter((w) => w.start <= now && now < w.end && selectorMatches(w.source.scope, host));
}

function applies(rule: CompiledRule, host: HostView): boolean {
  return rule.appliesTo === undefined || selectorMatches(rule.appliesTo, host);
}

/** Rows 1–7 of the precedence table (spec §6). */
function verdictOf(c: Compiled, input: EvalInput, host: HostView, now: number, windows: CompiledWindow[], set: Setting): Draft {
  const f = input.facts;
  const techniques = f.techniques;
  const exe = f.program.path ?? '';
  if (f.loader) {
    return draft(
      set,
      'deny',
      'non-overridable',
      'builtin:loader-invocation',
      [
        {
          source: 'builtin:loader-invocation',
          message: 'the dynamic loader was executed directly; its target escapes program identity',
          fields: { 'process.executable': exe, 'process.args': f.argString },
        },
      ],
      techniques,
    );
  }
  if (f.memfd) {
    return draft(
      set,
      'deny',
      'non-overridable',
      'builtin:memfd-exec',
      [
        {
          source: 'builtin:memfd-exec',
          message: 'execution from an anonymous memory file (fileless)',
          fields: { 'process.executable': exe },
        },
      ],
      techniques,
    );
  }

  // Indexed loops: no iterator objects on the hot path.
  const exceptions = c.exceptions;
  for (let k = 0; k < exceptions.length; k++) {
    const x = exceptions[k] as CompiledException;
    if (now < x.notBefore || now >= x.expires || !selectorMatches(x.source.scope, host)) continue;
    if (f.content !== 'none' && x.match.approvesContent !== f.content) continue;
    if (!holds(x.match, input)) continue;
    const s = x.source;
    const message = `exception ${s.id} (ticket ${s.ticket}, requested by ${s.requester}, approved by ${s.approver}, expires ${s.expires})`;
    return draft(
      set,
      'allow',
      'exception',
      s.id,
      [{ source: s.id, message, fields: matchedFields(x.match, f) }],
      techniques,
      null,
      s.id,
    );
  }

  let relaxedBy: string | null = null;
  const denies = c.denyIndex.candidates(f.program, f.content);
  for (let k = 0; k < denies.length; k++) {
    const rule = c.denyRules[denies[k] as number] as CompiledRule;
    if (!applies(rule, host) || !holds(rule.match, input, undefined, true)) continue;
    const relaxing = windows.length === 0 ? undefined : windows.find((w) => w.relaxedRules.has(rule.id));
    if (relaxing) {
      relaxedBy ??= relaxing.source.id;
      continue;
    }
    const reason = { source: rule.id, message: rule.message, fields: matchedFields(rule.match, f) };
    const rt = rule.techniques;
    const all = rt && rt.length > 0 ? [...new Set([...techniques, ...rt])].sort() : techniques;
    return draft(set, 'deny', 'deny-rule', rule.id, [reason], all, relaxedBy);
  }

  let programRule: CompiledRule | undefined;
  let contentRule: CompiledRule | undefined;
  let bothRule: CompiledRule | undefined;
  const allows = c.allowIndex.candidates(f.program, f.content);
  for (let k = 0; k < allows.length; k++) {
    const rule = c.allowRules[allows[k] as number] as CompiledRule;
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
    return draft(set, 'allow', 'allow-rule', winner.id, reasons, techniques, relaxedBy);
  }

  const window = windows.length === 0 ? undefined : windows.find((w) => w.source.relax.defaultDeny === true);
  if (window) {
    const w = window.source;
    const message = `maintenance window ${w.id} (ticket ${w.ticket}) relaxes default-deny until ${w.end}`;
    const reasons = [{ source: w.id, message, fields: matchedFields(undefined, f) }];
    return draft(set, 'allow', 'maintenance-window', w.id, reasons, techniques, w.id);
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
  const reasons = [{ source: 'default-deny', message: why, fields: matchedFields(undefined, f) }];
  return draft(set, 'deny', 'default-deny', 'default-deny', reasons, techniques, relaxedBy);
}

/** Decide one execution (spec §6–§8). Pure: same inputs, same decision. */
export function decide(policy: CompiledPolicy, event: ExecEvent, ctx: DecideContext): Decision {
  const c = policy as Compiled;
  const host = hostView(ctx.host, event);
  const now = ctx.now;
  const set = c.scopes.length === 0 ? c.defaultSetting : settingOf(c, host);
  const input = takeFacts(c.catalogue, event);
  const windows = activeWindows(c, host, now);
  const d = verdictOf(c, input, host, now, windows, set);

  if (d.verdict === 'deny') {
    if (set.mode !== 'enforce') {
      d.effect = 'would-deny';
    } else if (d.decidedBy !== 'non-overridable') {
      const relaxing = windows.length === 0 ? undefined : windows.find((w) => w.source.relax.enforcement === true);
      const program = input.facts.program;
      const nb =
        relaxing || c.neverBlock.length === 0
          ? undefined
          : c.neverBlock.find((n) => selectorMatches(n.source.appliesTo, host) && matchIdentity(n.program, program));
      if (relaxing) {
        d.effect = 'would-deny';
        d.windowId = relaxing.source.id;
        d.reasons = [
          ...d.reasons,
          {
            source: relaxing.source.id,
            message: `maintenance window ${relaxing.source.id} (ticket ${relaxing.source.ticket}) suspends enforcement`,
          },
        ];
      } else if (nb) {
        d.effect = 'would-deny';
        d.neverBlockId = nb.source.id;
        d.reasons = [...d.reasons, { source: nb.source.id, message: `never-block: ${nb.source.reason}` }];
      }
    }
  }

  if (!ctx.explain) {
    giveBackFacts(input);
    return d;
  }
  const explained = { ...d, trace: explainTrace(c, input, host, now, d) satisfies readonly TraceStep[] };
  giveBackFacts(input);
  return explained;
}

/** The first scope whose selector matches the host, else the policy's defaults (spec §7). */
function settingOf(c: Compiled, host: HostView): Setting {
  const settings = c.scopeSettings;
  for (let k = 0; k < settings.length; k++) {
    const s = settings[k] as Setting;
    if (selectorMatches(s.selector, host)) return s;
  }
  return c.defaultSetting;
}
