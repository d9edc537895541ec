// Differential test: the compiled engine against the deliberately naive reference evaluator
// (src/reference, written from spec/semantics.md alone) on 10,000 generated policy/event pairs
// with the real catalogue. Every field that states the decision must be identical.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalogue } from '@execguard/knowledge';
import type { Decision } from '@execguard/schema';
import { compile, decide } from './index.js';
import { generateCases, referenceDecide } from './reference/index.js';

const CASES = 10_000;
const SEED = 0x2026;

const essence = (d: Decision) => ({
  verdict: d.verdict,
  effect: d.effect,
  decidedBy: d.decidedBy,
  ruleId: d.ruleId,
  exceptionId: d.exceptionId,
  windowId: d.windowId,
  neverBlockId: d.neverBlockId,
  mode: d.mode,
  failMode: d.failMode,
  scopeId: d.scopeId,
  techniques: d.techniques,
  digest: d.policy.digest,
});

test(`compiled engine and naive reference agree on ${CASES.toLocaleString()} generated cases`, () => {
  const cases = generateCases(SEED, CASES, defaultCatalogue);
  const mismatches: string[] = [];
  const seen = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const engine = essence(decide(compile(c.policy, { catalogue: defaultCatalogue }), c.event, c.ctx));
    const reference = essence(referenceDecide(c.policy, defaultCatalogue, c.event, c.ctx));
    seen.add(`${engine.decidedBy}/${engine.effect}`);
    try {
      assert.deepEqual(engine, reference);
    } catch {
      if (mismatches.length < 5) {
        mismatches.push(
          `case ${i}:\n  engine    ${JSON.stringify(engine)}\n  reference ${JSON.stringify(reference)}\n  event ${JSON.stringify(c.event)}\n  ctx ${JSON.stringify(c.ctx)}\n  rules ${JSON.stringify(c.policy.rules)}`,
        );
      } else mismatches.push(`case ${i}`);
    }
  }
  assert.equal(mismatches.length, 0, `${mismatches.length} disagreements; first ones:\n${mismatches.slice(0, 5).join('\n\n')}`);
  // The generator must exercise every precedence row and effect, or agreement proves little.
  for (const row of ['non-overridable', 'exception', 'deny-rule', 'allow-rule', 'maintenance-window', 'default-deny']) {
    assert.ok(
      [...seen].some((s) => s.startsWith(`${row}/`)),
      `row ${row} never decided`,
    );
  }
});

test('one compiled policy decides many events like the reference does', () => {
  // Same policy, many events: exercises the indexes rather than compile-per-event.
  const cases = generateCases(SEED + 1, 300, defaultCatalogue);
  for (const c of cases.slice(0, 30)) {
    const compiled = compile(c.policy, { catalogue: defaultCatalogue });
    for (const other of cases) {
      assert.deepEqual(
        essence(decide(compiled, other.event, other.ctx)),
        essence(referenceDecide(c.policy, defaultCatalogue, other.event, other.ctx)),
      );
    }
  }
});
