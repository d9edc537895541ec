import type { Catalogue, Rule } from '@execguard/schema';
import { directoryOf, type Subject, signerIdentity, slug, subjectOf, type Tier, tierOf } from './identities.js';
import type { InitEntry } from './types.js';

// Grouping: one rule per package manager (listing package names), per signer + product +
// OriginalFileName, and per directory for hashes and script paths — a reviewer reads dozens of
// rules, not thousands, and each rule's description says which baseline files it stands for.

export interface Allowed {
  readonly rule: Rule;
  /** The baseline entries this rule allows (for generated tests and the header summary). */
  readonly entries: readonly InitEntry[];
  readonly tier: Tier['tier'];
}

export interface Grouped {
  readonly allowed: readonly Allowed[];
  readonly excluded: ReadonlyArray<{ readonly entry: InitEntry; readonly reason: string }>;
  readonly skipped: number;
}

const plural = (n: number, s: Subject) => `${n} ${s}${n === 1 ? '' : 's'}`;
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

export function groupEntries(entries: readonly InitEntry[], source: string, scriptPaths: boolean, catalogue: Catalogue): Grouped {
  const buckets = new Map<string, { subject: Subject; tier: Tier; entries: InitEntry[] }>();
  const excluded: { entry: InitEntry; reason: string }[] = [];
  let skipped = 0;
  const modifiedHashes = new Set(entries.filter((e) => e.package?.verified === false).map((e) => e.sha256.toLowerCase()));
  for (const e of entries) {
    const subject = subjectOf(e);
    if (!subject) {
      skipped++;
      continue;
    }
    let tier = tierOf(e, subject, scriptPaths, catalogue);
    // Same bytes as a modified package file: a hash allow would let that file run too (EG-L022).
    if ((tier.tier === 'sha256' || tier.tier === 'path') && modifiedHashes.has(e.sha256.toLowerCase()))
      tier = { tier: 'excluded', reason: 'same content as a file that differs from its package record' };
    if (tier.tier === 'excluded') {
      excluded.push({ entry: e, reason: tier.reason });
      continue;
    }
    const key =
      tier.tier === 'package'
        ? `${subject}|package|${tier.manager}`
        : tier.tier === 'signer'
          ? `${subject}|signer|${tier.subject}|${tier.product}|${tier.originalFileName ?? ''}`
          : `${subject}|${tier.tier}|${directoryOf(e.path)}`;
    const b = buckets.get(key);
    if (b) b.entries.push(e);
    else buckets.set(key, { subject, tier, entries: [e] });
  }

  const ids = new Set<string>();
  const uniqueId = (base: string) => {
    let id = base.slice(0, 120);
    for (let n = 2; ids.has(id); n++) id = `${base.slice(0, 115)}-${n}`;
    ids.add(id);
    return id;
  };
  // Strongest tiers first, so the document reads from the broad, well-founded rules down.
  const order: Tier['tier'][] = ['package', 'signer', 'sha256', 'path'];
  const all = [...buckets.values()].sort(
    (a, b) => order.indexOf(a.tier.tier) - order.indexOf(b.tier.tier) || (a.subject < b.subject ? -1 : 1),
  );
  const allowed = all.map(({ subject, tier, entries: es }): Allowed => {
    const n = plural(es.length, subject);
    const dir = directoryOf(es[0]?.path ?? '/');
    const prefix = subject === 'script' ? 'allow-script' : 'allow';
    let rule: Rule;
    if (tier.tier === 'package') {
      const names = sorted(es.flatMap((e) => e.package?.names ?? []));
      rule = {
        id: uniqueId(`${prefix}-packages-${tier.manager}`),
        action: 'allow',
        description: `${n} from baseline ${source}, installed by ${tier.manager} (${names.length} packages); allowed while each file still matches the package record`,
        match: { [subject]: { package: { manager: tier.manager, names } } },
      };
    } else if (tier.tier === 'signer') {
      rule = {
        id: uniqueId(`${prefix}-signer-${slug(tier.product)}${tier.originalFileName ? `-${slug(tier.originalFileName)}` : ''}`),
        action: 'allow',
        description: `${n} from baseline ${source} signed by ${tier.subject} (${tier.product}); minVersion is the oldest version seen`,
        match: { [subject]: signerIdentity(tier, es) },
      };
    } else if (tier.tier === 'sha256') {
      rule = {
        id: uniqueId(`${prefix}-sha256-${slug(dir)}`),
        action: 'allow',
        description: `${n} in ${dir} from baseline ${source}, by hash (no verified package or signer)`,
        match: { [subject]: { sha256: sorted(es.map((e) => e.sha256.toLowerCase())) } },
      };
    } else {
      rule = {
        id: uniqueId(`${prefix}-path-${slug(dir)}`),
        action: 'allow',
        description: `${n} in ${dir} from baseline ${source}, by exact path (the directory chain is writable by administrators only)`,
        match: { [subject]: { path: sorted(es.map((e) => e.path)) } },
      };
    }
    return { rule, entries: es, tier: tier.tier };
  });
  return { allowed, excluded, skipped };
}
