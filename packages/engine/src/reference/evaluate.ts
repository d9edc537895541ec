// Naive reference evaluator of spec/semantics.md — the oracle of the differential test.
// Deliberately simple: every call re-derives everything and walks the policy linearly, in the order
// of the spec's sections. Correctness by inspection matters here; speed does not.
//
// Readings chosen where the spec text is ambiguous (the optimised engine must match them):
//  R1  No ctx.host: id = event.host.id ?? event.host.name ?? '', name = event.host.name, no role/labels.
//  R2  Selector hosts/roles/labels, user ids and package names compare exactly; user names and groups
//      case-insensitively.
//  R3  event.host.os.family is trimmed and compared case-insensitively with "windows".
//  R4  Interpreter flags are parsed from process.args only (never from command_line).
//  R5  flagPrefixes applies to inline, script, stdin and value flags (prefix ≥ 2 chars after the dash,
//      no ambiguity check; inline is tested first). clusteredShortFlags applies to inline and stdin
//      flags (bash -xs); a cluster ends at a value-flag letter or a non-letter. Inline flags count with
//      "=value" (--eval=x); one-letter ones with the value attached (-cprint(1), /cdir) only where
//      the interpreter has neither flagPrefixes nor clusteredShortFlags. "--" ends the options.
//  R6  Per argument: inline, script flag, stdin flag, value flag, other option, operand. With
//      scriptOperand 'none' an operand does not stop parsing (cmd foo /c x ⇒ inline).
//  R7  Only interpreters have content; the script subject exists only for content "script": file.*
//      when file.path is given, else the argument script's path (joined to working_directory, `.`/`..`
//      resolved) with the provenance in execguard.script. Stdin that is a pipe, file or socket is a
//      stdin script.
//  R8  Interpreter namePatterns must match the whole name (^(?:p)$); loader and location patterns are
//      used as given; proxy patterns with the `i` flag; args conditions with `u` (+`i`), as validated.
//  R9  Proxy use looks at both names (basename and original name).
//  R10 Masquerade: names compared lower-case, `.mui` stripped; the system-binary test uses the basename
//      and the lower-case directory, and needs an executable path (no path, no evidence).
//  R11 Signer: status trimmed, case-insensitive "valid"; file_version = leading dotted numbers followed
//      by whitespace or end ("10.0.1 (WinBuild)" ok; "1,2,3" or "v2" never meet a minVersion);
//      originalFileName compared with `.mui` stripped on both sides.
//  R12 Globs: only * ** ?; `**/` is zero or more directories; everything else literal. Ancestors have
//      no provenance, so package/path identities never match them.
//  R13 Row 4: deny rules are walked in order; a holding rule relaxed by an active window is skipped and
//      noted; the first holding unrelaxed rule decides. Skips after it (or when row 3 decided) are not
//      looked at. windowId = §7.2 enforcement window, else row-6 window, else first skip window.
//  R14 auditUntil is ignored (not in §2/§7). Non-overridable denies in learn/audit are would-deny.
//  R15 Digest: keys sorted with the default JS sort (UTF-16 code units), undefined members dropped.
import type {
  Catalogue,
  DecidedBy,
  Decision,
  ExecEvent,
  FailMode,
  HostContext,
  MaintenanceWindow,
  Mode,
  Policy,
  Reason,
  Rule,
  Verdict,
} from '@execguard/schema';
import { referenceDigest } from './digest.js';
import { deriveFacts, type Facts } from './facts.js';
import {
  approvesContent,
  approvesProgram,
  coversAlone,
  identityMatches,
  matchFields,
  matchHolds,
  selectorMatches,
} from './match.js';

export interface ReferenceContext {
  readonly now: number;
  readonly host?: HostContext;
}

/** §1: the host from the context, else from the event (id, else name; no role, no labels). */
export function resolveHost(event: ExecEvent, host: HostContext | undefined): HostContext {
  if (host !== undefined) return host;
  const id = event.host?.id ?? event.host?.name ?? '';
  const name = event.host?.name;
  return name !== undefined ? { id, name } : { id };
}

/** §2: first matching scope in document order, else `default`. */
export function resolveScope(policy: Policy, host: HostContext): { id: string; mode: Mode; failMode: FailMode } {
  for (const s of policy.scopes ?? []) {
    if (selectorMatches(s.selector, host)) return { id: s.id, mode: s.mode, failMode: s.failMode ?? policy.defaults.failMode };
  }
  return { id: 'default', mode: policy.defaults.mode, failMode: policy.defaults.failMode };
}

function fieldsReason(source: string, message: string, fields: Record<string, string | boolean | number>): Reason {
  return Object.keys(fields).length > 0 ? { source, message, fields } : { source, message };
}

interface Verdicted {
  verdict: Verdict;
  decidedBy: DecidedBy;
  ruleId: string;
  exceptionId: string | null;
  /** the window that decided (row 6) */
  decidingWindow: MaintenanceWindow | undefined;
  /** the deny rule that decided (row 4) */
  denyRule: Rule | undefined;
}

export function referenceDecide(policy: Policy, catalogue: Catalogue, event: ExecEvent, ctx: ReferenceContext): Decision {
  const now = ctx.now;
  const host = resolveHost(event, ctx.host);
  const scope = resolveScope(policy, host);
  const facts: Facts = deriveFacts(event, catalogue);
  const kind = facts.contentKind;
  const reasons: Reason[] = [];
  const skipReasons: Reason[] = [];

  const windowActive = (w: MaintenanceWindow) =>
    Date.parse(w.start) <= now && now < Date.parse(w.end) && selectorMatches(w.scope, host);

  // The first window (document order) whose relax.rules skipped a deny rule that held.
  let skipWindow: MaintenanceWindow | undefined;

  const decideVerdict = (): Verdicted => {
    const none = { exceptionId: null, decidingWindow: undefined, denyRule: undefined };
    // Row 1: loader invocation
    if (facts.loader) {
      reasons.push(
        fieldsReason('builtin:loader-invocation', 'the dynamic loader was executed directly (non-overridable)', {
          'process.executable': facts.path,
        }),
      );
      return { verdict: 'deny', decidedBy: 'non-overridable', ruleId: 'builtin:loader-invocation', ...none };
    }
    // Row 2: memfd execution
    if (facts.memfd) {
      reasons.push(
        fieldsReason('builtin:memfd-exec', 'the image is an anonymous memory file (non-overridable)', {
          'process.executable': facts.path,
        }),
      );
      return { verdict: 'deny', decidedBy: 'non-overridable', ruleId: 'builtin:memfd-exec', ...none };
    }
    // Row 3: exceptions — active, in scope, holding, covering on their own
    for (const x of policy.exceptions ?? []) {
      const notBefore = x.notBefore !== undefined ? Date.parse(x.notBefore) : Number.NEGATIVE_INFINITY;
      if (!(notBefore <= now && now < Date.parse(x.expires))) continue;
      if (!selectorMatches(x.scope, host)) continue;
      if (!matchHolds(x.match, facts, event)) continue;
      if (!coversAlone(x.match, kind)) continue;
      reasons.push(
        fieldsReason(x.id, `exception ${x.id} (ticket ${x.ticket}, approved by ${x.approver}) lets this execution run`, {
          ...matchFields(x.match, facts, event),
        }),
      );
      return {
        verdict: 'allow',
        decidedBy: 'exception',
        ruleId: x.id,
        exceptionId: x.id,
        decidingWindow: undefined,
        denyRule: undefined,
      };
    }
    // Row 4: deny rules
    for (const r of policy.rules) {
      if (r.action !== 'deny') continue;
      if (!selectorMatches(r.appliesTo, host)) continue;
      if (!matchHolds(r.match, facts, event)) continue;
      const relaxing = (policy.maintenanceWindows ?? []).find((w) => windowActive(w) && (w.relax.rules ?? []).includes(r.id));
      if (relaxing !== undefined) {
        skipWindow ??= relaxing;
        skipReasons.push({
          source: relaxing.id,
          message: `maintenance window ${relaxing.id} relaxes deny rule ${r.id}, which held`,
        });
        continue;
      }
      reasons.push(fieldsReason(r.id, `deny rule ${r.id} matched`, matchFields(r.match, facts, event)));
      return { verdict: 'deny', decidedBy: 'deny-rule', ruleId: r.id, exceptionId: null, decidingWindow: undefined, denyRule: r };
    }
    // Row 5: allow rules covering the execution
    const holding = policy.rules.filter(
      (r) => r.action === 'allow' && selectorMatches(r.appliesTo, host) && matchHolds(r.match, facts, event),
    );
    const programApprover = holding.find((r) => approvesProgram(r.match));
    const contentApprover = holding.find((r) => approvesContent(r.match, kind));
    if (programApprover !== undefined && (kind === 'none' || contentApprover !== undefined)) {
      let decider: Rule;
      if (kind === 'none') {
        decider = programApprover;
      } else {
        const both = holding.find((r) => approvesProgram(r.match) && approvesContent(r.match, kind));
        decider = both ?? contentApprover!;
      }
      const what = kind === 'none' ? 'the program' : `the program and its ${kind} content`;
      reasons.push(
        fieldsReason(decider.id, `allow rule ${decider.id} approves ${what}`, matchFields(decider.match, facts, event)),
      );
      if (!approvesProgram(decider.match)) {
        reasons.push(
          fieldsReason(
            programApprover.id,
            `allow rule ${programApprover.id} approves the program`,
            matchFields(programApprover.match, facts, event),
          ),
        );
      }
      return { verdict: 'allow', decidedBy: 'allow-rule', ruleId: decider.id, ...none };
    }
    // Row 6: maintenance window relaxing default deny
    const dd = (policy.maintenanceWindows ?? []).find((w) => windowActive(w) && w.relax.defaultDeny === true);
    if (dd !== undefined) {
      reasons.push({ source: dd.id, message: `maintenance window ${dd.id} (ticket ${dd.ticket}) relaxes default deny` });
      return {
        verdict: 'allow',
        decidedBy: 'maintenance-window',
        ruleId: dd.id,
        exceptionId: null,
        decidingWindow: dd,
        denyRule: undefined,
      };
    }
    // Row 7: default deny
    const why =
      programApprover !== undefined
        ? `allow rule ${programApprover.id} approves the program but no rule approves its ${kind} content`
        : 'no rule allows this program';
    reasons.push(fieldsReason('default-deny', why, { 'process.executable': facts.path }));
    return { verdict: 'deny', decidedBy: 'default-deny', ruleId: 'default-deny', ...none };
  };

  const v = decideVerdict();

  // §7 effect
  let effect: Decision['effect'];
  let enforcementWindow: MaintenanceWindow | undefined;
  let neverBlockId: string | null = null;
  if (v.verdict === 'allow') {
    effect = 'allowed';
  } else if (scope.mode === 'learn' || scope.mode === 'audit') {
    effect = 'would-deny';
    reasons.push({ source: scope.id, message: `scope ${scope.id} is in ${scope.mode} mode: the deny is not enforced` });
  } else if (v.decidedBy === 'non-overridable') {
    effect = 'denied';
  } else {
    enforcementWindow = (policy.maintenanceWindows ?? []).find((w) => windowActive(w) && w.relax.enforcement === true);
    if (enforcementWindow !== undefined) {
      effect = 'would-deny';
      reasons.push({
        source: enforcementWindow.id,
        message: `maintenance window ${enforcementWindow.id} relaxes enforcement: the deny is recorded, not enforced`,
      });
    } else {
      const nb = (policy.neverBlock ?? []).find(
        (n) => selectorMatches(n.appliesTo, host) && identityMatches(n.program, facts.program),
      );
      if (nb !== undefined) {
        effect = 'would-deny';
        neverBlockId = nb.id;
        reasons.push({ source: nb.id, message: `never-block ${nb.id}: ${nb.reason}` });
      } else {
        effect = 'denied';
      }
    }
  }

  const techniques = new Set(facts.techniques);
  if (v.verdict === 'deny' && v.denyRule !== undefined) for (const t of v.denyRule.techniques ?? []) techniques.add(t);

  const windowId = enforcementWindow?.id ?? v.decidingWindow?.id ?? skipWindow?.id ?? null;

  return {
    verdict: v.verdict,
    effect,
    decidedBy: v.decidedBy,
    ruleId: v.ruleId,
    exceptionId: v.exceptionId,
    windowId,
    neverBlockId,
    reasons: [...reasons, ...skipReasons],
    techniques: [...techniques].sort(),
    mode: scope.mode,
    failMode: scope.failMode,
    scopeId: scope.id,
    policy: { name: policy.metadata.name, version: policy.metadata.version, digest: referenceDigest(policy) },
  };
}
