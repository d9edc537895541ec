/**
 * Turns what the native core saw into a normalised ExecEvent (ECS names), and explains it with the
 * TypeScript engine: the same facts decided by decide() must give the native verdict, effect and
 * rule — a difference is flagged on the event (`execguard.semantics_mismatch`) and counted, because
 * it would mean the two implementations of spec/semantics.md drifted apart.
 */
import { randomUUID } from 'node:crypto';
import { type CompiledPolicy, decide } from '@execguard/engine';
import type { Decision, ExecEvent, HostContext, Provenance } from '@execguard/schema';
import type { NativeRecord, NativeSubject } from './native.js';
import type { HostView } from './table.js';

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

function provenance(s: NativeSubject | null): Provenance | undefined {
  if (!s) return undefined;
  return {
    path_admin_only: s.adminOnly,
    ...(s.contentName ? { content_name: s.contentName } : {}),
    ...(s.package ? { package: { manager: s.package.manager, name: s.package.name, verified: s.package.verified } } : {}),
  };
}

function image(s: NativeSubject) {
  return { executable: s.path, name: basename(s.path), ...(s.sha256 ? { hash: { sha256: s.sha256 } } : {}) };
}

/** The execution as an ExecEvent, without the decision. */
export function recordToEvent(r: NativeRecord, host: HostView): ExecEvent {
  const program = r.program;
  const args = r.args ?? undefined;
  const event: ExecEvent = {
    '@timestamp': new Date(r.time).toISOString(),
    event: {
      id: randomUUID(),
      kind: 'event',
      category: ['process'],
      type: ['start'],
      action: r.stage === 'exec' ? 'exec-check' : 'post-exec-check',
      outcome: r.decision.effect === 'denied' ? 'failure' : 'success',
      module: 'execguard',
      dataset: 'execguard.agent',
    },
    host: { ...(host.id ? { id: host.id } : {}), ...(host.name ? { name: host.name } : {}), os: { family: 'linux' } },
    process: {
      pid: r.pid,
      ...(program ? image(program) : {}),
      ...(args ? { args, command_line: args.join(' ') } : {}),
      ...(r.cwd ? { working_directory: r.cwd } : {}),
      ...(r.parent ? { parent: { pid: r.ppid, ...image(r.parent) } } : r.ppid > 0 ? { parent: { pid: r.ppid } } : {}),
    },
    ...(r.uid >= 0
      ? {
          user: {
            id: String(r.uid),
            ...(r.user ? { name: r.user } : {}),
            ...(r.gid >= 0 ? { group: { id: String(r.gid), ...(r.group ? { name: r.group } : {}) } } : {}),
          },
        }
      : {}),
    ...(r.script
      ? {
          file: {
            path: r.script.path,
            name: basename(r.script.path),
            ...(r.script.sha256 ? { hash: { sha256: r.script.sha256 } } : {}),
          },
        }
      : {}),
    execguard: {
      source_format: 'execguard-agent',
      ...(program ? { process: provenance(program) } : {}),
      ...(r.parent ? { parent: provenance(r.parent) } : {}),
      ...(r.script ? { script: provenance(r.script) } : {}),
      ...(r.ancestors.length ? { ancestors: r.ancestors.map(image) } : {}),
      ...(r.stdin ? { stdin: r.stdin } : {}),
      ...(r.groups.length ? { groups: r.groups } : {}),
    },
  } as ExecEvent;
  return event;
}

export interface ExplainedEvent {
  readonly event: ExecEvent;
  readonly decision: Decision;
  /** The TypeScript engine decided otherwise than the core (never expected). */
  readonly mismatch: boolean;
}

/**
 * Explains a record: the event, the engine's decision with reasons and techniques, and whether the
 * native verdict agrees. Records the core answered with the fail mode (outcome "error": the process
 * could not be read) are not compared: nothing was decided. A "deadline" record was decided with
 * the hash unknown, and so is the event, which carries no hash.
 */
export function explainRecord(r: NativeRecord, compiled: CompiledPolicy, host: HostContext): ExplainedEvent {
  const event = recordToEvent(r, host);
  const decision = decide(compiled, event, { now: r.time, host });
  const n = r.decision;
  const mismatch =
    r.outcome !== 'error' &&
    (n.verdict !== decision.verdict ||
      n.effect !== decision.effect ||
      n.ruleId !== decision.ruleId ||
      n.decidedBy !== decision.decidedBy);
  const eg = event.execguard as Record<string, unknown>;
  eg.decision = {
    ...decision,
    // What happened to the process: the core's effect, or the fail mode when it could not decide at all.
    enforced: r.outcome !== 'error' ? n.effect : n.verdict === 'allow' ? 'allowed-fail-open' : 'denied-fail-closed',
  };
  eg.mode = decision.mode;
  eg.policy_version = decision.policy.version;
  eg.stage = r.stage;
  eg.outcome = r.outcome;
  eg.latency_us = Math.round(r.latencyUs);
  if (r.repeats > 0 && r.firstTime !== undefined) {
    // A summary: the same allowed execution again, `count` times from `first` to @timestamp.
    eg.repeated = { count: r.repeats, first: new Date(r.firstTime).toISOString() };
  }
  if (decision.exceptionId) eg.exception_id = decision.exceptionId;
  if (mismatch) eg.semantics_mismatch = { native: { ...n } };
  const withRule = event as ExecEvent & { rule?: unknown; threat?: unknown };
  withRule.rule = { id: decision.ruleId };
  if (decision.techniques.length) withRule.threat = { technique: { id: [...decision.techniques] } };
  return { event, decision, mismatch };
}
