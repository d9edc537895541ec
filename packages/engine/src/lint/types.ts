import type { Catalogue, Finding, Policy } from '@execguard/schema';

export interface LintContext {
  readonly policy: Policy;
  readonly catalogue: Catalogue;
  /** Evaluation instant (epoch ms) for time-based findings: audit periods, expiries. */
  readonly now: number;
}

/** One bypass class: a pure function from the policy to its findings. */
export type Check = (ctx: LintContext) => Finding[];

/** All seven M0938 techniques: what an unenforced scope leaves open. */
export const ALL_TECHNIQUES = ['T0807', 'T0834', 'T0849', 'T0853', 'T0863', 'T0871', 'T0894'] as const;
