// The native core's readers never trust their input: random and mutated decision tables and facts
// buffers are rejected with an error, never a crash or a hang, and a valid table still loads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 as rng } from '@execguard/engine/reference';
import { defaultCatalogue } from '@execguard/knowledge';
import { encodeFacts } from './facts-codec.js';
import { nativeCore } from './native.js';
import { buildTable } from './table.js';

const policy = {
  apiVersion: 'execguard.io/v1',
  kind: 'Policy',
  metadata: { name: 'fuzz', version: 1 },
  defaults: { mode: 'enforce', failMode: 'open' },
  rules: [
    { id: 'a', action: 'allow', match: { program: { path: ['/usr/bin/*'] }, args: { none: ['--evil'] } } },
    { id: 'd', action: 'deny', match: { program: { name: ['nc'] }, user: { names: ['bob'] } } },
  ],
};

// Every section filled, the host's content names included, so mutations reach each reader.
const contentNames = [
  { sha256: 'ab'.repeat(32), name: 'python3' },
  { sha256: 'ab'.repeat(32), name: 'python3.11' },
  { sha256: 'cd'.repeat(32), name: 'ld-linux-x86-64.so.2' },
];

test('mutated and truncated decision tables are rejected, never crash the process', () => {
  const core = nativeCore();
  const { table } = buildTable(policy, { catalogue: defaultCatalogue, host: { id: 'h' }, contentNames });
  assert.ok(core.loadTable(table), 'the valid table loads');
  const r = rng(7);
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const t = Buffer.from(table);
    const kind = i % 3;
    let input: Buffer;
    if (kind === 0) input = t.subarray(0, Math.floor(r() * t.length));
    else if (kind === 1) {
      for (let k = 0; k < 1 + Math.floor(r() * 8); k++) t[Math.floor(r() * t.length)] = Math.floor(r() * 256);
      input = t;
    } else input = Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
    try {
      core.loadTable(input);
    } catch (e) {
      assert.match((e as Error).message, /decision table|regex|out of memory/);
      rejected++;
    }
  }
  assert.ok(rejected > 1500, `most corrupted tables are rejected (${rejected})`);
});

test('mutated facts buffers are rejected with an error', () => {
  const core = nativeCore();
  const t = core.loadTable(buildTable(policy, { catalogue: defaultCatalogue, host: { id: 'h' }, contentNames }).table);
  const facts = encodeFacts(
    {
      process: { executable: '/usr/bin/ls', args: ['ls', '-l'] },
      execguard: { process: { path_admin_only: true, content_name: 'ls' } },
    } as never,
    0,
  );
  assert.equal(core.decide(t, facts).ruleId, 'a');
  const r = rng(11);
  for (let i = 0; i < 3000; i++) {
    const f = Buffer.from(facts);
    for (let k = 0; k < 1 + Math.floor(r() * 4); k++) f[Math.floor(r() * f.length)] = Math.floor(r() * 256);
    const input = i % 2 ? f : f.subarray(0, Math.floor(r() * f.length));
    try {
      const d = core.decide(t, input);
      assert.ok(d.verdict === 'allow' || d.verdict === 'deny');
    } catch (e) {
      assert.match((e as Error).message, /malformed facts/);
    }
  }
});
