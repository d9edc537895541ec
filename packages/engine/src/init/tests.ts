import type { HostContext, PolicyTest } from '@execguard/schema';
import type { Allowed } from './rules.js';
import type { InitEntry } from './types.js';

// Test cases written into the generated policy, so `execguard policy test` proves on day one that
// the baseline runs and that unknown, dropped and loader-launched programs would be denied.

const basename = (p: string) => p.slice(p.replace(/\\/g, '/').lastIndexOf('/') + 1);

/** The event fields a sensor reports for a file with this baseline provenance. */
function evidence(e: InitEntry) {
  const ecs: Record<string, unknown> = { hash: { sha256: e.sha256 } };
  if (e.signer?.product) {
    ecs.code_signature = { signed: true, trusted: true, status: 'valid', subject_name: e.signer.subject };
    ecs.pe = {
      product: e.signer.product,
      ...(e.signer.fileVersion ? { file_version: e.signer.fileVersion } : {}),
      ...(e.signer.originalFileName ? { original_file_name: e.signer.originalFileName } : {}),
    };
  }
  const provenance: Record<string, unknown> = { path_admin_only: (e.writableBy ?? []).length === 0 };
  const name = e.package?.names[0];
  if (e.package && name) provenance.package = { manager: e.package.manager, name, verified: e.package.verified === true };
  return { ecs, provenance };
}

function programEvent(e: InitEntry, args: string[]) {
  const { ecs, provenance } = evidence(e);
  return { process: { executable: e.path, args, ...ecs }, execguard: { process: provenance } };
}

export function generatedTests(allowed: readonly Allowed[], nowIso: string, host: HostContext | undefined): PolicyTest[] {
  const at = { now: nowIso, ...(host ? { host } : {}) };
  const tests: PolicyTest[] = [];
  const program = allowed.find((a) => a.rule.match.program && a.entries.length > 0);
  const first = program?.entries[0];
  if (program && first) {
    tests.push({
      name: `baseline program ${first.path} is allowed by ${program.rule.id}`,
      ...at,
      event: programEvent(first, [basename(first.path)]),
      expect: { verdict: 'allow', effect: 'allowed', ruleId: program.rule.id },
    });
  }
  // A baseline script run by its baseline interpreter: both the program and the content approved.
  const programs = allowed.filter((a) => a.rule.match.program).flatMap((a) => a.entries);
  for (const a of allowed.filter((x) => x.rule.match.script)) {
    const script = a.entries.find((s) => programs.some((p) => p.path === s.interpreter));
    const interp = script && programs.find((p) => p.path === script.interpreter);
    if (!script || !interp) continue;
    const ev = programEvent(interp, [basename(interp.path), script.path]);
    const s = evidence(script);
    tests.push({
      name: `baseline script ${script.path} run by ${interp.path} is allowed by ${a.rule.id}`,
      ...at,
      event: { ...ev, file: { path: script.path, ...s.ecs }, execguard: { ...ev.execguard, script: s.provenance } },
      expect: { verdict: 'allow', effect: 'allowed' },
    });
    break;
  }
  tests.push(
    {
      name: 'an unknown binary is denied (would-deny while the policy audits)',
      ...at,
      event: {
        process: { executable: '/opt/unknown/dropper', args: ['dropper'], hash: { sha256: '0'.repeat(64) } },
        execguard: { process: { path_admin_only: true } },
      },
      expect: { verdict: 'deny', effect: 'would-deny', decidedBy: 'default-deny' },
    },
    {
      name: 'a program dropped in /tmp is denied by the user-writable-location rule',
      ...at,
      event: { process: { executable: '/tmp/.x/payload', args: ['payload'], hash: { sha256: '1'.repeat(64) } } },
      expect: { verdict: 'deny', effect: 'would-deny', ruleId: 'deny-user-writable-location' },
    },
    {
      name: 'running a program through the dynamic loader is denied, whatever the rules say',
      ...at,
      event: {
        process: {
          executable: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
          args: ['ld-linux-x86-64.so.2', '/tmp/payload'],
        },
      },
      expect: { verdict: 'deny', decidedBy: 'non-overridable', ruleId: 'builtin:loader-invocation' },
    },
  );
  return tests;
}
