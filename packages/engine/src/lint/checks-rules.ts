import type { Finding, Identity, Rule } from '@execguard/schema';
import { hasWildcard, literalDepth, userWritableKind } from './paths.js';
import type { Check, LintContext } from './types.js';

// Bypass classes that live in the rules themselves: what an allow lets through that an attacker
// can reach (writable paths, broad globs, whole publishers, proxy binaries, inline code).

const allowRules = (ctx: LintContext) => ctx.policy.rules.map((r, i) => ({ r, i })).filter(({ r }) => r.action === 'allow');

function idents(r: Rule): [string, Identity][] {
  return (['program', 'script'] as const).flatMap((k) => (r.match[k] ? [[k, r.match[k] as Identity] as [string, Identity]] : []));
}

export const userWritableAllowed: Check = (ctx) =>
  allowRules(ctx).flatMap(({ r, i }) =>
    idents(r).flatMap(([k, id]) =>
      (id.path ?? []).flatMap((glob, j) => {
        const kind = userWritableKind(glob, ctx.catalogue);
        if (!kind) return [];
        return [
          {
            id: 'EG-L001',
            severity: 'high',
            title: 'Allowed path inside a user-writable location',
            techniques: k === 'script' ? ['T0853', 'T0863'] : ['T0863'],
            message: `rule ${r.id} allows ${k} path "${glob}", which lies in a ${kind} location users can write`,
            fix: 'Allow these files by sha256 or signer instead, or move them to an administrator-only directory',
            evidence: { rule: r.id, path: glob, location: kind },
            location: { path: `/rules/${i}/match/${k}/path/${j}` },
          } satisfies Finding,
        ];
      }),
    ),
  );

export const broadPathRule: Check = (ctx) =>
  allowRules(ctx).flatMap(({ r, i }) =>
    idents(r).flatMap(([k, id]) =>
      (id.path ?? []).flatMap((glob, j) => {
        const depth = literalDepth(glob);
        if (!hasWildcard(glob) || depth >= 2) return [];
        return [
          {
            id: depth === 0 ? 'EG-L014' : 'EG-L002',
            severity: depth === 0 ? 'critical' : 'high',
            title: depth === 0 ? 'Allow-all path rule (no default deny in effect)' : 'Over-broad path rule',
            techniques: ['T0849', 'T0863'],
            message: `rule ${r.id} allows every ${k} under "${glob}" (${depth} fixed director${depth === 1 ? 'y' : 'ies'}); any file planted or replaced there runs`,
            fix: 'Pin the path to the program directory (e.g. /opt/vendor/bin/*) and rely on hashes or package provenance for the rest',
            evidence: { rule: r.id, path: glob, fixedLevels: depth },
            location: { path: `/rules/${i}/match/${k}/path/${j}` },
          } satisfies Finding,
        ];
      }),
    ),
  );

export const publisherWithoutVersion: Check = (ctx) =>
  allowRules(ctx).flatMap(({ r, i }) =>
    idents(r).flatMap(([k, id]) =>
      id.signer && !id.signer.minVersion && !id.sha256
        ? [
            {
              id: 'EG-L003',
              severity: 'medium',
              title: 'Publisher rule without a minimum version',
              techniques: ['T0849'],
              message: `rule ${r.id} allows every version ever signed by "${id.signer.subject}" for "${id.signer.product}", including old vulnerable ones`,
              fix: 'Add signer.minVersion (the oldest version in the baseline)',
              evidence: { rule: r.id, signer: id.signer },
              location: { path: `/rules/${i}/match/${k}/signer` },
            } satisfies Finding,
          ]
        : [],
    ),
  );

/** Names a rule can let run that are catalogued proxies, when nothing stops their proxy use. */
export const proxyWithoutArgumentRules: Check = (ctx) => {
  const denyProxyUse = ctx.policy.rules.some(
    (r) => r.action === 'deny' && r.match.proxyUse === true && !r.match.program && !r.appliesTo,
  );
  if (denyProxyUse) return [];
  const proxies = new Map(ctx.catalogue.proxies.map((p) => [p.name.toLowerCase(), p]));
  const guarded = (name: string) =>
    ctx.policy.rules.some(
      (r) =>
        r.action === 'deny' &&
        (r.match.proxyUse === true || r.match.args) &&
        (r.match.program?.name ?? []).some((n) => n.toLowerCase() === name),
    );
  const out: Finding[] = [];
  for (const { r, i } of allowRules(ctx)) {
    const id = r.match.program;
    if (!id || r.match.args) continue;
    const names = [...(id.name ?? []), ...(id.signer?.originalFileName ? [id.signer.originalFileName] : [])].map((n) =>
      n.toLowerCase(),
    );
    for (const n of names) {
      if (proxies.has(n) && !guarded(n)) {
        out.push({
          id: 'EG-L005',
          severity: 'high',
          title: 'Proxy binary allowed without argument rules',
          techniques: ['T0894'],
          message: `rule ${r.id} allows ${n}, which can execute other code through its arguments, and no deny rule restricts them`,
          fix: `Add a deny rule with proxyUse: true (for ${n} or for all programs), or restrict the allow with args`,
          evidence: { rule: r.id, binary: n, patterns: proxies.get(n)?.patterns.map((p) => p.id) ?? [] },
          location: { path: `/rules/${i}/match/program` },
        });
      }
    }
    // A whole operating-system publisher covers every proxy binary it ships.
    if (id.signer && !id.signer.originalFileName && !id.sha256 && /windows|operating system/i.test(id.signer.product)) {
      out.push({
        id: 'EG-L004',
        severity: 'high',
        title: 'Publisher rule covers proxy binaries',
        techniques: ['T0894'],
        message: `rule ${r.id} allows all of "${id.signer.product}", which includes rundll32, mshta, regsvr32, msbuild and the other system proxy binaries, and no rule denies proxy use`,
        fix: 'Add a deny rule with proxyUse: true (and the recommended block rules), or narrow the signer with originalFileName',
        evidence: { rule: r.id, signer: id.signer },
        location: { path: `/rules/${i}/match/program/signer` },
      });
    }
  }
  return out;
};

export const uncontrolledScripts: Check = (ctx) =>
  allowRules(ctx).flatMap(({ r, i }) => {
    const m = r.match;
    const at = `/rules/${i}/match`;
    const out: Finding[] = [];
    if (m.inlineCode === true && !m.args?.all && !m.args?.any) {
      out.push({
        id: 'EG-L006',
        severity: 'high',
        title: 'Inline code allowed without an argument pattern',
        techniques: ['T0853', 'T0807'],
        message: `rule ${r.id} lets its interpreter run any code given on the command line`,
        fix: 'Pin the allowed one-liner with args.all (an anchored regular expression), or ship it as an approved script',
        evidence: { rule: r.id },
        location: { path: at },
      });
    }
    if (m.stdinScript === true) {
      out.push({
        id: 'EG-L007',
        severity: 'high',
        title: 'Scripts on stdin allowed',
        techniques: ['T0853'],
        message: `rule ${r.id} lets its interpreter run whatever is piped to it (curl … | sh), which no identity can check`,
        fix: 'Remove stdinScript: true and approve the script file instead',
        evidence: { rule: r.id },
        location: { path: `${at}/stdinScript` },
      });
    }
    return out;
  });

export const nameOnlyDeny: Check = (ctx) =>
  ctx.policy.rules.flatMap((r, i) => {
    const id = r.match.program;
    if (r.action !== 'deny' || !id?.name || id.sha256 || id.signer || id.package || id.path) return [];
    if (r.match.proxyUse || r.match.args || r.match.parent || r.match.ancestor) return [];
    return [
      {
        id: 'EG-L009',
        severity: 'medium',
        title: 'Deny rule by file name only',
        techniques: ['T0849'],
        message: `rule ${r.id} denies ${id.name.join(', ')} by name; a renamed copy is not denied unless its OriginalFileName gives it away`,
        fix: 'Deny by sha256 or signer + originalFileName too, and deny masquerade: true',
        evidence: { rule: r.id, names: id.name },
        location: { path: `/rules/${i}/match/program/name` },
      } satisfies Finding,
    ];
  });
