// One semantics: the native core's decision equals the TypeScript engine's decide() for every
// Linux-applicable conformance case (spec/cases) and for generated policy/event pairs (the engine's
// reference generator). Windows-only facts (code signatures, PE original names, drive paths) are
// out of the core's reach by design and are filtered out, never compared loosely.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile, decide } from '@execguard/engine';
import { generateCases } from '@execguard/engine/reference';
import { defaultCatalogue } from '@execguard/knowledge';
import type { Decision, ExecEvent, HostContext, Policy } from '@execguard/schema';
import { parsePolicyText } from '@execguard/schema';
import { encodeFacts } from './facts-codec.js';
import { type NativeDecision, nativeCore } from './native.js';
import { buildTable, type HostView } from './table.js';

const CASES_DIR = fileURLToPath(new URL('../../../spec/cases/', import.meta.url));
const DEFAULT_NOW = Date.parse('2026-06-01T00:00:00Z');

type Image = { executable?: string; path?: string; pe?: unknown; code_signature?: unknown } | undefined;
const windowsish = (img: Image) =>
  img !== undefined &&
  (img.pe !== undefined || img.code_signature !== undefined || /^[a-zA-Z]:[\\/]|\\/.test(img.executable ?? img.path ?? ''));

/** Can the core see everything this event says? (Linux host, no Windows-only image facts.) */
export function linuxApplicable(e: ExecEvent): boolean {
  const family = e.host?.os?.family?.toLowerCase();
  if (family !== undefined && family !== 'linux') return false;
  const images: Image[] = [
    e.process as Image,
    e.process.parent as Image,
    e.file as Image,
    ...((e.execguard?.ancestors ?? []) as Image[]),
  ];
  return !images.some(windowsish) && (e.execguard?.ancestors?.length ?? 0) <= 16 && (e.execguard?.groups?.length ?? 0) <= 64;
}

const essence = (d: Decision | NativeDecision) => ({
  verdict: d.verdict,
  effect: d.effect,
  decidedBy: d.decidedBy,
  ruleId: d.ruleId,
  exceptionId: d.exceptionId,
  windowId: d.windowId,
  neverBlockId: d.neverBlockId,
});

function hostOf(event: ExecEvent, host: HostContext | undefined): HostView {
  return host ?? { id: event.host?.id, name: event.host?.name };
}

function compare(policy: Policy, event: ExecEvent, now: number, host: HostContext | undefined): { ts: unknown; native: unknown } {
  const ts = decide(compile(policy, { catalogue: defaultCatalogue }), event, { now, ...(host ? { host } : {}) });
  const { table } = buildTable(policy, { catalogue: defaultCatalogue, host: hostOf(event, host) });
  const core = nativeCore();
  const native = core.decide(core.loadTable(table), encodeFacts(event, now));
  return { ts: essence(ts), native: essence(native) };
}

test('native core and TypeScript engine agree on every Linux-applicable conformance case', () => {
  let compared = 0;
  const mismatches: string[] = [];
  for (const file of readdirSync(CASES_DIR).filter((f) => /\.ya?ml$/.test(f))) {
    const parsed = parsePolicyText(readFileSync(`${CASES_DIR}${file}`, 'utf8'), file);
    assert.ok(parsed.ok, `${file} parses`);
    for (const t of parsed.value.tests ?? []) {
      const event = t.event as ExecEvent;
      if (!linuxApplicable(event)) continue;
      const now = t.now ? Date.parse(t.now) : DEFAULT_NOW;
      const { ts, native } = compare(parsed.value, event, now, t.host);
      compared++;
      try {
        assert.deepEqual(native, ts);
      } catch {
        mismatches.push(`${file} › ${t.name}\n  ts:     ${JSON.stringify(ts)}\n  native: ${JSON.stringify(native)}`);
      }
    }
  }
  assert.ok(compared >= 100, `at least 100 Linux-applicable cases (found ${compared})`);
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${compared} cases disagree`);
});

/**
 * The generator favours Windows events; its events are made Linux ones here (Windows-only image
 * facts removed, drive paths turned into absolute POSIX paths, the host's family set to linux), so
 * that its policies and conditions exercise the core too. Both sides decide the same event.
 */
function linuxise(e: ExecEvent): ExecEvent {
  const path = (p: unknown) => (typeof p === 'string' ? p.replace(/^[a-zA-Z]:/, '').replace(/\\/g, '/') : p);
  const fix = (img: Record<string, unknown> | undefined) => {
    if (!img) return;
    delete img.pe;
    delete img.code_signature;
    for (const k of ['executable', 'path', 'command_line', 'working_directory']) if (k in img) img[k] = path(img[k]);
  };
  const copy = structuredClone(e) as ExecEvent & { host?: Record<string, unknown> };
  fix(copy.process as never);
  fix(copy.process.parent as never);
  fix(copy.file as never);
  for (const a of copy.execguard?.ancestors ?? []) fix(a as never);
  copy.host = { ...(copy.host ?? {}), os: { family: 'linux' } } as never;
  return copy;
}

test('native core and TypeScript engine agree on generated Linux cases', () => {
  const cases = generateCases(0x4e47, 3000, defaultCatalogue)
    .map((c) => ({ ...c, event: linuxise(c.event) }))
    .filter((c) => linuxApplicable(c.event));
  const mismatches: string[] = [];
  const outcomes = new Set<string>();
  for (const c of cases) {
    const { ts, native } = compare(c.policy as Policy, c.event, c.ctx.now, c.ctx.host);
    outcomes.add(`${(ts as Decision).decidedBy}/${(ts as Decision).effect}`);
    try {
      assert.deepEqual(native, ts);
    } catch {
      if (mismatches.length < 5)
        mismatches.push(`${JSON.stringify(c.event)}\n  ts:     ${JSON.stringify(ts)}\n  native: ${JSON.stringify(native)}`);
      else mismatches.push('…');
    }
  }
  assert.ok(cases.length >= 2000, `at least 2,000 Linux cases generated (got ${cases.length})`);
  assert.ok(outcomes.size >= 6, `the generated cases reach many outcomes (${[...outcomes].join(', ')})`);
  assert.deepEqual(mismatches.slice(0, 6), [], `${mismatches.length} of ${cases.length} generated cases disagree`);
});
