import type { Catalogue, Decision, ExecEvent, HostContext, Policy, PolicyRef } from '@execguard/schema';

export interface CompileOptions {
  /** Interpreters, proxy binaries, system binary locations: usually `defaultCatalogue` from @execguard/knowledge. */
  readonly catalogue: Catalogue;
}

export interface DecideContext {
  /** Evaluation instant, epoch milliseconds. The engine never reads a clock. */
  readonly now: number;
  /** The host the execution happened on; defaults to event.host.id / event.host.name. */
  readonly host?: HostContext;
  /** Return the full evaluation trace in decision.trace. */
  readonly explain?: boolean;
}

/** A policy compiled for fast decisions. Immutable; safe to share. */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly ref: PolicyRef;
}

export type { Decision, ExecEvent, HostContext, Policy };
