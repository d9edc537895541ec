import type { FailMode, Mode } from './common.js';

export type Verdict = 'allow' | 'deny';
/** What happened: an enforced deny (`denied`) is never confused with an audit-only `would-deny`. */
export type Effect = 'allowed' | 'denied' | 'would-deny';

export type DecidedBy = 'non-overridable' | 'exception' | 'deny-rule' | 'maintenance-window' | 'allow-rule' | 'default-deny';

export interface Reason {
  /** Rule, exception, window or builtin id this reason comes from. */
  readonly source: string;
  readonly message: string;
  /** Event fields that made it match, with the values seen. */
  readonly fields?: Readonly<Record<string, string | boolean | number>>;
}

export interface TraceStep {
  readonly phase:
    | 'scope'
    | 'facts'
    | 'non-overridable'
    | 'exception'
    | 'deny-rule'
    | 'window'
    | 'allow-rule'
    | 'default'
    | 'never-block'
    | 'mode';
  readonly subject: string;
  readonly outcome: 'matched' | 'not-matched' | 'skipped' | 'info';
  readonly detail: string;
}

export interface PolicyRef {
  readonly name: string;
  readonly version: number;
  /** sha256 of the canonical JSON of the validated policy. */
  readonly digest: string;
}

export interface Decision {
  readonly verdict: Verdict;
  readonly effect: Effect;
  readonly decidedBy: DecidedBy;
  /** The deciding rule: a rule id, exception id, window id, `builtin:*` or `default-deny`. */
  readonly ruleId: string;
  readonly exceptionId: string | null;
  readonly windowId: string | null;
  readonly neverBlockId: string | null;
  readonly reasons: readonly Reason[];
  /** ATT&CK for ICS technique ids involved, sorted. */
  readonly techniques: readonly string[];
  readonly mode: Mode;
  readonly failMode: FailMode;
  readonly scopeId: string;
  readonly policy: PolicyRef;
  readonly trace?: readonly TraceStep[];
}
