import type { Decision, Expectation } from '@execguard/schema';

/**
 * Differences between what a stored test case expects and what was decided; empty = pass. Only
 * the fields the case gives are compared; techniques compare as sorted sets.
 */
export function checkExpectation(expect: Expectation, d: Decision): string[] {
  const problems: string[] = [];
  const check = (what: string, want: unknown, got: unknown) => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) {
      problems.push(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  };
  check('verdict', expect.verdict, d.verdict);
  check('effect', expect.effect, d.effect);
  check('ruleId', expect.ruleId, d.ruleId);
  check('decidedBy', expect.decidedBy, d.decidedBy);
  check('exceptionId', expect.exceptionId, d.exceptionId);
  check('windowId', expect.windowId, d.windowId);
  check('neverBlockId', expect.neverBlockId, d.neverBlockId);
  check('techniques', expect.techniques ? [...expect.techniques].sort() : undefined, d.techniques);
  return problems;
}
