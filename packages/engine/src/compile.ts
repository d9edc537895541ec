import type {
  Exception,
  FailMode,
  MaintenanceWindow,
  Mode,
  NeverBlock,
  Policy,
  PolicyRef,
  Rule,
  Scope,
  Selector,
} from '@execguard/schema';
import { assertPolicy } from '@execguard/schema';
import type { CompiledPolicy, CompileOptions } from './api.js';
import type { ContentKind } from './args.js';
import { type CatalogueIndex, indexCatalogue } from './catalogue.js';
import { type CompiledMatch, compileMatch } from './conditions.js';
import { policyDigest } from './digest.js';
import { type CompiledIdentity, compileIdentity } from './identity.js';
import { RuleIndex } from './rule-index.js';

export interface CompiledRule {
  readonly id: string;
  readonly source: Rule;
  readonly match: CompiledMatch;
  readonly appliesTo: Selector | undefined;
  readonly techniques: readonly string[] | undefined;
  /** Reason text, built once. */
  readonly message: string;
}

export interface CompiledException {
  readonly source: Exception;
  readonly match: CompiledMatch;
  readonly notBefore: number;
  readonly expires: number;
}

export interface CompiledWindow {
  readonly source: MaintenanceWindow;
  readonly start: number;
  readonly end: number;
  readonly relaxedRules: ReadonlySet<string>;
}

export interface CompiledNeverBlock {
  readonly source: NeverBlock;
  readonly program: CompiledIdentity;
}

/** Where a host falls: its scope with the mode and fail mode that apply there (one object per scope). */
export interface Setting {
  readonly selector: Selector | undefined;
  readonly scopeId: string;
  readonly mode: Mode;
  readonly failMode: FailMode;
  readonly ref: PolicyRef;
}

/** The engine's private view of a compiled policy. */
export interface Compiled extends CompiledPolicy {
  readonly catalogue: CatalogueIndex;
  readonly scopes: readonly Scope[];
  readonly denyRules: readonly CompiledRule[];
  readonly allowRules: readonly CompiledRule[];
  readonly denyIndex: RuleIndex;
  readonly allowIndex: RuleIndex;
  readonly exceptions: readonly CompiledException[];
  readonly windows: readonly CompiledWindow[];
  readonly neverBlock: readonly CompiledNeverBlock[];
  /** Scopes in document order, then the policy defaults (scope "default"). */
  readonly scopeSettings: readonly Setting[];
  readonly defaultSetting: Setting;
}

/**
 * Validate and compile a policy once; decide many times. Throws ValidationError (with every
 * problem and its location) when the policy is invalid.
 */
export function compile(policy: unknown, options: CompileOptions): CompiledPolicy {
  const p: Policy = assertPolicy(policy);
  const denyRules: CompiledRule[] = [];
  const allowRules: CompiledRule[] = [];
  const denyIndex = new RuleIndex();
  const allowIndex = new RuleIndex();
  for (const rule of p.rules) {
    const compiled: CompiledRule = {
      id: rule.id,
      source: rule,
      match: compileMatch(rule.match),
      appliesTo: rule.appliesTo,
      techniques: rule.techniques,
      message: rule.description ?? (rule.action === 'deny' ? `deny rule ${rule.id} matched` : `allowed by rule ${rule.id}`),
    };
    const [list, index] = rule.action === 'deny' ? [denyRules, denyIndex] : [allowRules, allowIndex];
    index.add(list.length, compiled.match.program, requiredContent(compiled.match));
    list.push(compiled);
  }
  denyIndex.seal();
  allowIndex.seal();
  const ref: PolicyRef = { name: p.metadata.name, version: p.metadata.version, digest: policyDigest(p) };
  const defaults = p.defaults;
  const compiled: Compiled = {
    policy: p,
    ref,
    catalogue: indexCatalogue(options.catalogue),
    scopes: p.scopes ?? [],
    denyRules,
    allowRules,
    denyIndex,
    allowIndex,
    exceptions: (p.exceptions ?? []).map((x) => ({
      source: x,
      match: compileMatch(x.match),
      notBefore: x.notBefore ? Date.parse(x.notBefore) : Number.NEGATIVE_INFINITY,
      expires: Date.parse(x.expires),
    })),
    windows: (p.maintenanceWindows ?? []).map((w) => ({
      source: w,
      start: Date.parse(w.start),
      end: Date.parse(w.end),
      relaxedRules: new Set(w.relax.rules ?? []),
    })),
    neverBlock: (p.neverBlock ?? []).map((n) => ({ source: n, program: compileIdentity(n.program) })),
    scopeSettings: (p.scopes ?? []).map((s) => ({
      selector: s.selector,
      scopeId: s.id,
      mode: s.mode,
      failMode: s.failMode ?? defaults.failMode,
      ref,
    })),
    defaultSetting: { selector: undefined, scopeId: 'default', mode: defaults.mode, failMode: defaults.failMode, ref },
  };
  return compiled;
}

/**
 * The host as selectors see it: the caller's HostContext, or else the event's `host` (which has
 * no role or labels). Used as given, so deciding allocates nothing for it.
 */
/** The content kind an event must have for this match to hold, if the match fixes one. */
function requiredContent(m: CompiledMatch): ContentKind | undefined {
  if (m.script) return 'script';
  if (m.inlineCode === true) return 'inline';
  if (m.stdinScript === true) return 'stdin';
  return undefined;
}

export interface HostView {
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly role?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

export function selectorMatches(sel: Selector | undefined, host: HostView): boolean {
  if (!sel) return true;
  if (sel.hosts && !sel.hosts.some((h) => (h === host.id && h !== undefined) || h === host.name)) return false;
  if (sel.roles && !(host.role !== undefined && sel.roles.includes(host.role))) return false;
  if (sel.labels) for (const [k, v] of Object.entries(sel.labels)) if (host.labels?.[k] !== v) return false;
  return true;
}
