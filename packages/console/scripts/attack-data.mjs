#!/usr/bin/env node
// Build step of the console: reads the ATT&CK for ICS STIX bundles (not part of the repository;
// by default ../shared/data/attack beside the project, or EXECGUARD_ATTACK_DIR) and ExecGuard's own
// coverage facts (detectors, self-test canaries), and writes public/coverage.json, which Vite copies
// into dist-web/. Nothing from the bundles is committed: the file is generated at build time.
// Without the bundles the file still holds ExecGuard's coverage and says the ATT&CK data is missing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const root = join(pkg, '..', '..');
const TECHNIQUES = ['T0807', 'T0834', 'T0849', 'T0853', 'T0863', 'T0871', 'T0894'];
const MITIGATION = 'M0938';

const candidates = [
  process.env.EXECGUARD_ATTACK_DIR,
  join(root, '..', 'shared', 'data', 'attack'),
  '/work/shared/data/attack',
].filter(Boolean);
const dir = candidates.find((d) => existsSync(d));

const extId = (o) =>
  o.external_references?.find((r) => r.source_name === 'mitre-ics-attack' || r.source_name === 'mitre-attack')?.external_id;
const url = (o) => o.external_references?.find((r) => r.url)?.url ?? null;
const stripCitations = (s) =>
  (s ?? '')
    .replace(/\(Citation:[^)]*\)/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .trim();

function release(file) {
  const bundle = JSON.parse(readFileSync(file, 'utf8'));
  const objs = bundle.objects.filter((o) => !o.revoked && !o.x_mitre_deprecated);
  const byId = new Map(objs.map((o) => [o.id, o]));
  const collection = bundle.objects.find((o) => o.type === 'x-mitre-collection');
  const m = objs.find((o) => o.type === 'course-of-action' && extId(o) === MITIGATION);
  const rels = objs.filter((o) => o.type === 'relationship');
  const techniques = {};
  for (const id of TECHNIQUES) {
    const t = objs.find((o) => o.type === 'attack-pattern' && extId(o) === id);
    if (!t) continue;
    const mitigations = rels
      .filter((r) => r.relationship_type === 'mitigates' && r.target_ref === t.id)
      .map((r) => ({
        id: extId(byId.get(r.source_ref) ?? {}),
        name: byId.get(r.source_ref)?.name,
        how: stripCitations(r.description),
      }))
      .filter((x) => x.id);
    const detections = rels
      .filter((r) => r.relationship_type === 'detects' && r.target_ref === t.id)
      .map((r) => {
        const s = byId.get(r.source_ref) ?? {};
        return { id: extId(s) ?? null, name: s.name ?? s.type, type: s.type, how: stripCitations(r.description) };
      });
    // ATT&CK v18 detection strategies: x-mitre-detection-strategy → analytics → log sources.
    const strategies = objs
      .filter(
        (o) =>
          o.type === 'x-mitre-detection-strategy' &&
          rels.some((r) => r.source_ref === o.id && r.target_ref === t.id && r.relationship_type === 'detects'),
      )
      .map((s) => ({
        id: extId(s) ?? null,
        name: s.name,
        analytics: (s.x_mitre_analytic_refs ?? [])
          .map((a) => byId.get(a))
          .filter(Boolean)
          .map((a) => ({
            id: extId(a) ?? null,
            platforms: a.x_mitre_platforms ?? [],
            description: stripCitations(a.description),
            logSources: (a.x_mitre_log_source_references ?? []).map((l) => ({
              component: byId.get(l.x_mitre_data_component_ref)?.name ?? null,
              name: l.name,
              channel: l.channel,
            })),
          })),
      }));
    const others = rels
      .filter((r) => r.source_ref === t.id || r.target_ref === t.id)
      .filter((r) => !['mitigates', 'detects'].includes(r.relationship_type))
      .map((r) => {
        const other = byId.get(r.source_ref === t.id ? r.target_ref : r.source_ref) ?? {};
        return {
          type: r.relationship_type,
          direction: r.source_ref === t.id ? 'out' : 'in',
          id: extId(other) ?? null,
          name: other.name ?? null,
          kind: other.type ?? null,
        };
      });
    techniques[id] = {
      id,
      name: t.name,
      url: url(t),
      modified: t.modified,
      version: t.x_mitre_version ?? null,
      tactics: (t.kill_chain_phases ?? []).map((k) => k.phase_name),
      platforms: t.x_mitre_platforms ?? [],
      dataSources: t.x_mitre_data_sources ?? [],
      description: stripCitations(t.description),
      mitigatedByM0938: m
        ? rels.some((r) => r.relationship_type === 'mitigates' && r.source_ref === m.id && r.target_ref === t.id)
        : false,
      mitigations,
      detections: [...detections.filter((d) => d.type !== 'x-mitre-detection-strategy'), ...[]],
      strategies,
      relationships: others,
    };
  }
  return {
    release: collection?.x_mitre_version ?? file.match(/(\d+\.\d+)/)?.[1] ?? null,
    file: file.split('/').pop(),
    mitigation: m
      ? { id: MITIGATION, name: m.name, description: stripCitations(m.description), modified: m.modified, url: url(m) }
      : null,
    techniques,
  };
}

/** Appends `value` to the list under `key`, creating the list on first use. */
function append(out, key, value) {
  if (out[key]) out[key].push(value);
  else out[key] = [value];
}

async function detectorsCoverage() {
  // The detectors of packages/telemetry (built by tsc -b before this step), by technique.
  const out = {};
  try {
    const { detectors } = await import('@execguard/telemetry');
    for (const d of detectors) for (const t of d.techniques) append(out, t, d.id);
  } catch (e) {
    process.stderr.write(`[console] detectors not listed: ${e.message}\n`);
  }
  return out;
}

function selftestCoverage() {
  const out = {};
  const f = join(root, 'packages', 'agent', 'src', 'selftest.ts');
  if (!existsSync(f)) return out;
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/name:\s*'([^']+)',\s*technique:\s*'(T0\d{3})'/g)) append(out, m[2], m[1]);
  return out;
}

const releases = [];
if (dir) {
  for (const f of readdirSync(dir).filter((x) => /^ics-attack-\d+\.\d+\.json$/.test(x))) releases.push(release(join(dir, f)));
  releases.sort((a, b) => Number.parseFloat(a.release) - Number.parseFloat(b.release));
}
const latest = releases.at(-1) ?? null;
// What changed from earlier releases, per technique.
const changes = {};
for (const id of TECHNIQUES) {
  const list = [];
  for (let i = 1; i < releases.length; i++) {
    const a = releases[i - 1].techniques[id];
    const b = releases[i].techniques[id];
    const what = [];
    if (!a && b) what.push('added');
    else if (a && !b) what.push('removed');
    else if (a && b) {
      if (a.name !== b.name) what.push(`renamed from "${a.name}"`);
      if (a.description !== b.description) what.push('description changed');
      if (a.version !== b.version) what.push(`version ${a.version} → ${b.version}`);
      if (a.mitigatedByM0938 !== b.mitigatedByM0938)
        what.push(b.mitigatedByM0938 ? 'now mitigated by M0938' : 'no longer mitigated by M0938');
      const ds = (x) => JSON.stringify([x.dataSources, x.strategies.map((s) => s.id)]);
      if (ds(a) !== ds(b)) what.push('detection guidance changed');
      if (a.mitigations.length !== b.mitigations.length)
        what.push(`mitigations ${a.mitigations.length} → ${b.mitigations.length}`);
    }
    list.push({ from: releases[i - 1].release, to: releases[i].release, changes: what.length ? what : ['unchanged'] });
  }
  changes[id] = list;
}

const out = {
  generatedAt: new Date().toISOString(),
  attackAvailable: latest !== null,
  attackSource: latest ? `ATT&CK for ICS STIX bundle ${latest.file} (© The MITRE Corporation, see its LICENSE.txt)` : null,
  release: latest?.release ?? null,
  releases: releases.map((r) => r.release),
  mitigation: latest?.mitigation ?? { id: MITIGATION, name: 'Execution Prevention', description: null },
  techniques: TECHNIQUES.map((id) => ({
    id,
    attack: latest?.techniques[id] ?? null,
    present: releases.map((r) => ({ release: r.release, present: id in r.techniques })),
    changes: changes[id],
  })),
  execguard: { detectors: await detectorsCoverage(), selftest: selftestCoverage() },
};
const target = join(pkg, 'public');
mkdirSync(target, { recursive: true });
writeFileSync(join(target, 'coverage.json'), `${JSON.stringify(out)}\n`);
process.stderr.write(
  `[console] coverage.json: ${latest ? `ATT&CK for ICS ${latest.release} from ${resolve(dir)}` : 'no ATT&CK bundles found (set EXECGUARD_ATTACK_DIR)'}; releases ${out.releases.join(', ') || '-'}\n`,
);
