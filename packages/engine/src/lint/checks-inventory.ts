import type { Finding, Identity, Rule } from '@execguard/schema';
import { behaviourOfName } from '../catalogue.js';
import { globToRegExp } from '../glob.js';
import type { Check, InventoryFacts, LintContext } from './types.js';

// Bypass classes that only the host can show: allowed paths someone other than an administrator
// can write, allowed files that no longer match their package, and host posture (temp directories
// that run code, memfd execution) that turns a policy gap into a working bypass.

const MAX_LISTED = 10;

interface Allowing {
  readonly r: Rule;
  readonly i: number;
  readonly subject: 'program' | 'script';
  readonly id: Identity;
}

function allowIdentities(ctx: LintContext): Allowing[] {
  return ctx.policy.rules.flatMap((r, i) =>
    r.action !== 'allow'
      ? []
      : (['program', 'script'] as const).flatMap((subject) => {
          const id = r.match[subject];
          return id ? [{ r, i, subject, id }] : [];
        }),
  );
}

const writable = (f: InventoryFacts) => f.writableBy.other || f.writableBy.users.length > 0 || f.writableBy.groups.length > 0;
const uniq = (xs: Iterable<string>) => [...new Set(xs)].sort();

function principals(files: readonly InventoryFacts[]): string {
  const users = uniq(files.flatMap((f) => f.writableBy.users));
  const groups = uniq(files.flatMap((f) => f.writableBy.groups));
  const other = files.some((f) => f.writableBy.other);
  return [
    ...(users.length > 0 ? [`user${users.length > 1 ? 's' : ''} ${users.join(', ')}`] : []),
    ...(groups.length > 0 ? [`group${groups.length > 1 ? 's' : ''} ${groups.join(', ')}`] : []),
    ...(other ? ['every local account'] : []),
  ].join('; ');
}

/** EG-L019: an allowed path glob covers inventoried files that non-administrators can replace. */
export const writableAllowedPath: Check = (ctx) => {
  const inventory = ctx.inventory ?? [];
  if (inventory.length === 0) return [];
  return allowIdentities(ctx).flatMap(({ r, i, subject, id }) =>
    (id.path ?? []).flatMap((glob, j): Finding[] => {
      const re = globToRegExp(glob);
      const files = inventory.filter((f) => writable(f) && re.test(f.path));
      if (files.length === 0) return [];
      const via = uniq(files.flatMap((f) => (f.writableBy.via ? [f.writableBy.via] : [])));
      const who = principals(files);
      return [
        {
          id: 'EG-L019',
          severity: 'high',
          title: 'Allowed path writable by non-administrators',
          techniques: ['T0863', 'T0849'],
          message: `rule ${r.id} allows ${subject} path "${glob}", and ${files.length} inventoried file(s) there can be replaced by ${who}${via.length > 0 ? ` (via ${via.slice(0, 3).join('; ')})` : ''}: whoever can write it chooses what runs under this allow`,
          fix: 'Make the directory chain root-owned and not group/other-writable (chmod go-w, chown root), or allow these files by sha256, package or signer instead of path',
          evidence: {
            rule: r.id,
            path: glob,
            files: files.slice(0, MAX_LISTED).map((f) => f.path),
            fileCount: files.length,
            users: uniq(files.flatMap((f) => f.writableBy.users)),
            groups: uniq(files.flatMap((f) => f.writableBy.groups)),
            other: files.some((f) => f.writableBy.other),
            via,
          },
          location: { path: `/rules/${i}/match/${subject}/path/${j}` },
        },
      ];
    }),
  );
};

/**
 * Which inventoried files an allow identity covers: by sha256, path glob, or verified package
 * provenance (globs compiled once per identity).
 */
function coverage(id: Identity): (f: InventoryFacts) => boolean {
  const hashes = new Set((id.sha256 ?? []).map((h) => h.toLowerCase()));
  const globs = (id.path ?? []).map((g) => globToRegExp(g));
  const p = id.package;
  return (f) =>
    (f.sha256 !== undefined && hashes.has(f.sha256.toLowerCase())) ||
    globs.some((re) => re.test(f.path)) ||
    (p !== undefined &&
      f.package?.verified === true &&
      (p.manager === 'any' || p.manager === f.package.manager) &&
      (!p.names || p.names.some((n) => f.package?.names.includes(n))));
}

/** EG-L022: a hash or path allow covers a package file whose content differs from the package record. */
export const modifiedPackageFileAllowed: Check = (ctx) => {
  const modified = (ctx.inventory ?? []).filter((f) => f.package?.verified === false);
  if (modified.length === 0) return [];
  return allowIdentities(ctx).flatMap(({ r, i, subject, id }): Finding[] => {
    // Modified files are never verified, so only the hash or path of the identity can cover them.
    const files = modified.filter(coverage(id));
    if (files.length === 0) return [];
    const packages = uniq(files.flatMap((f) => f.package?.names ?? []));
    return [
      {
        id: 'EG-L022',
        severity: 'high',
        title: 'Allowed file differs from its package record',
        techniques: ['T0849'],
        message: `rule ${r.id} allows ${files.length} ${subject} file(s) whose hash differs from what ${packages.join(', ')} installed (${files
          .slice(0, 3)
          .map((f) => f.path)
          .join(', ')}): a modified system file is allowed as if it were the original`,
        fix: 'Find out why the file changed (dpkg --verify, reinstall the package); allow it by package provenance, not by its current hash or path',
        evidence: { rule: r.id, files: files.slice(0, MAX_LISTED).map((f) => f.path), fileCount: files.length, packages },
        location: { path: `/rules/${i}/match/${subject}` },
      },
    ];
  });
};

/**
 * EG-L024: an allowed program is a statically linked interpreter or proxy binary. Arguments are read
 * when the new image opens the C library; a static image never does, so its inline code, scripts and
 * proxy arguments go unchecked (ADR 0007) — allowing it allows whatever it can be told to run.
 */
export const staticArgumentBlind: Check = (ctx) => {
  const behaviour = behaviourOfName(ctx.catalogue, 'linux');
  const blind = (ctx.inventory ?? []).flatMap((f) => {
    const kind = f.staticElf ? behaviour(f.path.slice(f.path.lastIndexOf('/') + 1)) : undefined;
    return kind === 'interpreter' || kind === 'proxy' ? [{ f, kind }] : [];
  });
  if (blind.length === 0) return [];
  return allowIdentities(ctx).flatMap(({ r, i, subject, id }): Finding[] => {
    if (subject !== 'program') return [];
    const covers = coverage(id);
    const hits = blind.filter(({ f }) => covers(f));
    if (hits.length === 0) return [];
    const interpreters = hits.some((h) => h.kind === 'interpreter');
    const examples = hits
      .slice(0, 3)
      .map((h) => h.f.path)
      .join(', ');
    const what = interpreters ? 'interpreter or proxy' : 'proxy';
    return [
      {
        id: 'EG-L024',
        severity: 'high',
        title: 'Statically linked interpreter or proxy binary allowed',
        techniques: interpreters ? ['T0807', 'T0853', 'T0894'] : ['T0894'],
        message: `rule ${r.id} allows ${hits.length} statically linked ${what} binar${hits.length > 1 ? 'ies' : 'y'} (${examples}): the enforcer reads arguments when a new program opens the C library, which a static program never does, so its inline code, scripts and proxy arguments are not checked`,
        fix: 'Allow a dynamically linked build of the program instead (e.g. busybox rather than busybox-static), or remove it from the allow rule',
        evidence: { rule: r.id, files: hits.slice(0, MAX_LISTED).map((h) => h.f.path), fileCount: hits.length },
        location: { path: `/rules/${i}/match/program` },
      },
    ];
  });
};

/** A deny that applies to every host and program for this fact. */
const deniesEverywhere = (ctx: LintContext, fact: 'userWritableLocation') =>
  ctx.policy.rules.some((r) => r.action === 'deny' && r.match[fact] === true && !r.match.program && !r.appliesTo);

/** EG-L020, EG-L021, EG-L023: host posture from the inventories' posture records. */
export const hostPosture: Check = (ctx) => {
  const out: Finding[] = [];
  const covered = deniesEverywhere(ctx, 'userWritableLocation');
  for (const p of ctx.posture ?? []) {
    const host = p.host ?? 'the scanned host';
    for (const d of p.tmpDirs) {
      if (!d.exists || !d.worldWritable || d.noexec) continue;
      out.push({
        id: 'EG-L020',
        severity: covered ? 'medium' : 'high',
        title: 'World-writable directory mounted without noexec',
        techniques: ['T0863'],
        message: `${d.path} on ${host} is writable by every account and executable from; ${
          covered
            ? 'the deny-user-writable-location rule covers programs run from it once enforced, but the mount is the second line'
            : 'no deny rule with userWritableLocation: true covers programs run from it'
        }`,
        fix: `Mount ${d.path} with noexec,nosuid,nodev${covered ? '' : ', and add a deny rule with userWritableLocation: true'}`,
        evidence: { host, path: d.path },
      });
    }
    if (p.memfdNoexec === 0) {
      out.push({
        id: 'EG-L021',
        severity: 'medium',
        title: 'Anonymous memory files may be executed (vm.memfd_noexec = 0)',
        techniques: ['T0834'],
        message: `${host} lets any process create an executable memfd and run it without a file on disk; the non-overridable memfd deny covers this only where a scope enforces`,
        fix: 'Set vm.memfd_noexec = 2 where no workload needs executable memfds (sysctl, persisted in /etc/sysctl.d, or `execguard agent run --memfd-noexec`), and enforce the policy',
        evidence: { host, memfdNoexec: 0 },
      });
    }
    if (p.loaders.length > 0) {
      out.push({
        id: 'EG-L023',
        severity: 'info',
        title: 'Dynamic loaders present',
        techniques: ['T0894'],
        message: `${host} has ${p.loaders.join(', ')}, which can start any ELF file (ld.so ./payload); the non-overridable loader deny covers direct invocation`,
        fix: 'Nothing to change in the policy; keep loaderInvocation denied (it cannot be turned off)',
        evidence: { host, loaders: p.loaders },
      });
    }
  }
  return out;
};
