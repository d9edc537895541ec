import type { ExecEvent, Match } from '@execguard/schema';
import type { ContentKind } from './args.js';
import type { Facts } from './facts.js';
import { type CompiledIdentity, compileIdentity, matchIdentity } from './identity.js';
import type { Subject } from './subject.js';

export interface CompiledMatch {
  readonly source: Match;
  readonly program: CompiledIdentity | undefined;
  readonly script: CompiledIdentity | undefined;
  readonly parent: CompiledIdentity | undefined;
  readonly ancestor: CompiledIdentity | undefined;
  readonly args: { any: RegExp[] | undefined; all: RegExp[] | undefined; none: RegExp[] | undefined } | undefined;
  readonly user: { names: Set<string>; ids: Set<string>; groups: Set<string> } | undefined;
  // Flattened from the source so the hot path reads one object shape (policy objects vary).
  readonly inlineCode: boolean | undefined;
  readonly stdinScript: boolean | undefined;
  readonly proxyUse: boolean | undefined;
  readonly masquerade: boolean | undefined;
  readonly userWritableLocation: boolean | undefined;
  /** Which content kind an allow with this match approves (spec §5); undefined = none. */
  readonly approvesContent: ContentKind | undefined;
}

/** Per-event inputs for conditions: the facts, and the parent and ancestors built on demand. */
export interface EvalInput {
  readonly event: ExecEvent;
  readonly facts: Facts;
  readonly parent: Subject | undefined;
  readonly ancestors: readonly Subject[];
}

const lowerSet = (xs: readonly string[] | undefined) => new Set((xs ?? []).map((x) => x.toLowerCase()));

export function compileMatch(m: Match): CompiledMatch {
  const flags = m.args?.caseSensitive ? 'u' : 'iu';
  const res = (xs: readonly string[] | undefined) => xs?.map((x) => new RegExp(x, flags));
  return {
    source: m,
    program: m.program && compileIdentity(m.program),
    script: m.script && compileIdentity(m.script),
    parent: m.parent && compileIdentity(m.parent),
    ancestor: m.ancestor && compileIdentity(m.ancestor),
    args: m.args && { any: res(m.args.any), all: res(m.args.all), none: res(m.args.none) },
    user: m.user && { names: lowerSet(m.user.names), ids: new Set(m.user.ids ?? []), groups: lowerSet(m.user.groups) },
    inlineCode: m.inlineCode,
    stdinScript: m.stdinScript,
    proxyUse: m.proxyUse,
    masquerade: m.masquerade,
    userWritableLocation: m.userWritableLocation,
    approvesContent: m.script ? 'script' : m.inlineCode === true ? 'inline' : m.stdinScript === true ? 'stdin' : undefined,
  };
}

function flag(name: string, want: boolean | undefined, have: boolean, notes: string[] | undefined): boolean {
  if (want === undefined) return true;
  if (want !== have) {
    notes?.push(`${name} is ${have}, rule wants ${want}`);
    return false;
  }
  return true;
}

function userHolds(u: NonNullable<CompiledMatch['user']>, event: ExecEvent, notes: string[] | undefined): boolean {
  const name = event.user?.name?.toLowerCase();
  const id = event.user?.id;
  const groups = [event.user?.group?.name, ...(event.execguard?.groups ?? [])].filter((g): g is string => !!g);
  if ((name && u.names.has(name)) || (id && u.ids.has(id)) || groups.some((g) => u.groups.has(g.toLowerCase()))) return true;
  notes?.push(`user ${event.user?.name ?? event.user?.id ?? '(unknown)'} not listed`);
  return false;
}

/**
 * Does every condition of the match hold for this execution (spec §5)? `programShaChecked` is set
 * by callers that found the rule through the hash index: a rule filed by hash is only a candidate
 * when the program's hash is one of its hashes, so the set lookup need not be repeated.
 */
export function holds(m: CompiledMatch, input: EvalInput, notes?: string[], programShaChecked = false): boolean {
  const f = input.facts;
  const s = m;
  if (!flag('inline code', s.inlineCode, f.content === 'inline', notes)) return false;
  if (!flag('stdin script', s.stdinScript, f.content === 'stdin', notes)) return false;
  if (!flag('proxy use', s.proxyUse, f.proxy !== undefined, notes)) return false;
  if (!flag('masquerade', s.masquerade, f.masquerade !== undefined, notes)) return false;
  if (!flag('user-writable location', s.userWritableLocation, f.userWritable, notes)) return false;
  if (m.program && !matchIdentity(m.program, f.program, notes, programShaChecked)) return false;
  if (m.args) {
    const a = f.argString;
    if (m.args.any && !m.args.any.some((re) => re.test(a))) return fail(notes, 'no "any" argument pattern matches');
    if (m.args.all && !m.args.all.every((re) => re.test(a))) return fail(notes, 'not every "all" argument pattern matches');
    if (m.args.none?.some((re) => re.test(a))) return fail(notes, 'a "none" argument pattern matches');
  }
  if (m.script) {
    if (!f.script) return fail(notes, 'no script');
    if (!matchIdentity(m.script, f.script, notes)) return false;
  }
  if (m.parent) {
    const p = input.parent;
    if (!p) return fail(notes, 'no parent recorded');
    if (!matchIdentity(m.parent, p, notes)) return false;
  }
  if (m.ancestor && !input.ancestors.some((a) => matchIdentity(m.ancestor as CompiledIdentity, a))) {
    return fail(notes, 'no ancestor matches');
  }
  if (m.user && !userHolds(m.user, input.event, notes)) return false;
  return true;
}

function fail(notes: string[] | undefined, why: string): false {
  notes?.push(why);
  return false;
}
