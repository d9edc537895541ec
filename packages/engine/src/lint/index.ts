import { type Finding, SEVERITIES } from '@execguard/schema';
import { hostPosture, modifiedPackageFileAllowed, staticArgumentBlind, writableAllowedPath } from './checks-inventory.js';
import { auditPeriods, exceptionHygiene, windowHygiene, windowsContentCoverage } from './checks-programme.js';
import {
  broadPathRule,
  nameOnlyDeny,
  proxyWithoutArgumentRules,
  publisherWithoutVersion,
  uncontrolledScripts,
  userWritableAllowed,
} from './checks-rules.js';
import type { Check, LintContext } from './types.js';

export { toSarif } from './sarif.js';
export type { InventoryFacts, LintContext, PostureFacts } from './types.js';

const CHECKS: readonly Check[] = [
  userWritableAllowed,
  broadPathRule,
  publisherWithoutVersion,
  proxyWithoutArgumentRules,
  uncontrolledScripts,
  nameOnlyDeny,
  auditPeriods,
  exceptionHygiene,
  windowHygiene,
  windowsContentCoverage,
  writableAllowedPath,
  modifiedPackageFileAllowed,
  staticArgumentBlind,
  hostPosture,
];

/**
 * Static bypass-path analysis of a validated policy (pure: the time is an input). Findings come
 * most severe first, then in document order.
 */
export function lintPolicy(ctx: LintContext): Finding[] {
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  return CHECKS.flatMap((check) => check(ctx)).sort((a, b) => rank(b) - rank(a));
}
