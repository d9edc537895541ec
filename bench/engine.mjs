#!/usr/bin/env node
// bench:engine — compiled engine vs the naive reference evaluator, same policy, same events, same
// process. Policy: 100,000 hashes and 500 rules. The engine decides 1,000,000 events; the reference
// (which scans linearly, as designed) decides a sample of the same events, and the rates are compared.
// Prints a table, then one line of JSON with the figures (the last line of every benchmark).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { compile, decide } from '@execguard/engine';
import { mulberry32, referenceDecide } from '@execguard/engine/reference';
import { defaultCatalogue } from '@execguard/knowledge';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const REFERENCE_SAMPLE = Number(process.env.BENCH_REFERENCE_EVENTS ?? 300);
const HASHES = 100_000;
const RULES = 500;

const rand = mulberry32(0x5eed);
// Real SHA-256 digests (uniform, flat strings), as a sensor would report them.
const hex = (n) => createHash('sha256').update(String(n)).digest('hex');
const hashes = Array.from({ length: HASHES }, (_, i) => hex(i * 2654435761 + 12345));

function buildPolicy() {
  const rules = [];
  const hashRules = 100;
  const per = HASHES / hashRules;
  for (let r = 0; r < hashRules; r++) {
    rules.push({ id: `allow-hash-${r}`, action: 'allow', match: { program: { sha256: hashes.slice(r * per, (r + 1) * per) } } });
  }
  for (let r = 0; rules.length < RULES; r++) {
    switch (r % 5) {
      case 0:
        rules.push({
          id: `deny-proxy-${r}`,
          action: 'deny',
          techniques: ['T0894'],
          match: { program: { name: [`tool${r}`] }, args: { any: [`--exec-${r}\\b`, `-x${r}=`] } },
        });
        break;
      case 1:
        rules.push({ id: `allow-path-${r}`, action: 'allow', match: { program: { path: [`/opt/vendor${r}/bin/*`] } } });
        break;
      case 2:
        rules.push({
          id: `allow-pkg-${r}`,
          action: 'allow',
          match: { program: { package: { manager: 'dpkg', names: [`pkg${r}`] } } },
        });
        break;
      case 3:
        rules.push({ id: `allow-script-${r}`, action: 'allow', match: { script: { sha256: [hex(900_000_000 + r)] } } });
        break;
      default:
        rules.push({
          id: `deny-parent-${r}`,
          action: 'deny',
          match: { program: { name: [`shell${r}`] }, parent: { name: [`hmi${r}.exe`] } },
        });
    }
  }
  return {
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'bench', version: 1 },
    defaults: { mode: 'enforce', failMode: 'open' },
    scopes: [{ id: 'gateways', selector: { roles: ['gateway'] }, mode: 'audit' }],
    rules,
  };
}

// Events arrive as JSON lines (the agent's spool, an ingest stream) and are decided in batches as
// they are parsed; only decide() is timed.
const BATCH = 10_000;
function buildEvents(n, offset) {
  const out = new Array(n);
  for (let j = 0; j < n; j++) {
    const i = offset + j;
    const known = rand() < 0.9;
    const sha = known ? hashes[Math.floor(rand() * HASHES)] : hex(500_000_000 + Math.floor(rand() * 1e6));
    const name = `prog${i % 1000}`;
    out[j] = JSON.stringify({
      host: { id: `h${i % 50}` },
      process: {
        executable: `/usr/bin/${name}`,
        args: [name, '--flag', String(i % 7)],
        hash: { sha256: sha },
        parent: { executable: '/usr/bin/bash' },
      },
    });
  }
  return out.map((line) => JSON.parse(line));
}

const policy = buildPolicy();
const ruleCount = policy.rules.length;
const t0 = performance.now();
const compiled = compile(policy, { catalogue: defaultCatalogue });
const compileMs = performance.now() - t0;
const now = Date.parse('2026-11-28T00:00:00Z');
const ctx = { now };

// Warm up, then measure the compiled engine over every event.
for (const ev of buildEvents(20_000, 0)) decide(compiled, ev, ctx);
let denied = 0;
let engineMs = 0;
let sample;
for (let done = 0; done < EVENTS; done += BATCH) {
  const batch = buildEvents(Math.min(BATCH, EVENTS - done), done);
  sample ??= batch.slice(0, REFERENCE_SAMPLE);
  const t = performance.now();
  for (let i = 0; i < batch.length; i++) if (decide(compiled, batch[i], ctx).verdict === 'deny') denied++;
  engineMs += performance.now() - t;
}
const engineSec = engineMs / 1000;
const engineRate = EVENTS / engineSec;

// The reference on a sample, checking agreement as it goes.
let disagreements = 0;
const r0 = performance.now();
for (const ev of sample) {
  const r = referenceDecide(policy, defaultCatalogue, ev, ctx);
  const d = decide(compiled, ev, ctx);
  if (r.verdict !== d.verdict || r.ruleId !== d.ruleId || r.effect !== d.effect) disagreements++;
}
const refSec = (performance.now() - r0) / 1000;
// The loop above also ran the engine once per sample event; subtract its share.
const refRate = sample.length / Math.max(1e-9, refSec - sample.length / engineRate);

const ratio = engineRate / refRate;
const rows = [
  ['policy', `${HASHES.toLocaleString()} hashes, ${ruleCount} rules, compiled in ${compileMs.toFixed(0)} ms`],
  [
    'engine',
    `${EVENTS.toLocaleString()} decisions in ${engineSec.toFixed(2)} s = ${Math.round(engineRate).toLocaleString()} decisions/s (${denied.toLocaleString()} denies)`,
  ],
  ['reference', `${sample.length.toLocaleString()} decisions = ${Math.round(refRate).toLocaleString()} decisions/s`],
  ['ratio', `engine is ${ratio.toFixed(1)}x the naive reference; ${disagreements} disagreements on the sample`],
];
for (const [k, v] of rows) console.log(`${k.padEnd(10)} ${v}`);
console.log(
  JSON.stringify({
    bench: 'engine',
    hashes: HASHES,
    rules: ruleCount,
    events: EVENTS,
    engineDecisionsPerSec: Math.round(engineRate),
    referenceDecisionsPerSec: Math.round(refRate),
    ratio: Number(ratio.toFixed(1)),
    referenceSample: sample.length,
    disagreements,
    compileMs: Math.round(compileMs),
  }),
);
if (disagreements > 0) process.exitCode = 1;
