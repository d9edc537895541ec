import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { formatIssue, parsePolicyText, policyJsonSchema, validateEvent, validatePolicy } from './index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const example = readFileSync(join(root, 'examples', 'policies', 'linux-gateway.yaml'), 'utf8');

const BAD = `apiVersion: execguard.io/v1
kind: Policy
metadata: { name: bad, version: 1 }
defaults: { mode: enforce, failMode: sideways }
rules:
  - id: r1
    action: allow
    match:
      program: { name: [hmi.exe] }
  - id: r1
    action: deny
    match: { program: { sha256: [xyz] } }
  - id: r3
    action: allow
    match:
      program:
        signer: { subject: "CN=DigiCert Trusted Root G4", product: "*" }
      args: { any: ["(unclosed"] }
exceptions:
  - id: x1
    scope: {}
    match: { program: { sha256: ["${'a'.repeat(64)}"] } }
    requester: alice
    approver: ALICE
    ticket: CHG-1
    reason: test
    expires: "2026-01-01T00:00:00Z"
    notBefore: "2026-02-01T00:00:00Z"
`;

test('the example policy is valid', () => {
  const r = parsePolicyText(example, 'linux-gateway.yaml');
  assert.deepEqual(r.issues, []);
  assert.equal(r.ok, true);
});

test('schema problems are reported with their path and file:line:column', () => {
  const r = parsePolicyText(BAD, 'bad.yaml');
  assert.equal(r.ok, false);
  const byPath = new Map(r.issues.map((i) => [i.path, i]));
  const failMode = byPath.get('/defaults/failMode');
  assert.ok(failMode, 'failMode problem reported');
  assert.equal(failMode.line, 4);
  assert.match(failMode.message, /one of: "open", "closed"/);
  assert.ok(byPath.get('/rules/1/match/program/sha256/0'), 'bad sha256 reported');
  assert.equal(byPath.get('/rules/1/match/program/sha256/0')?.line, 12);
  assert.match(formatIssue(failMode), /^bad\.yaml:4:\d+: \/defaults\/failMode: /);
});

test('semantic problems are all reported once the structure is valid', () => {
  const fixed = BAD.replace('sideways', 'open').replace('sha256: [xyz]', `sha256: ["${'b'.repeat(64)}"]`);
  const r = parsePolicyText(fixed, 'bad.yaml');
  assert.equal(r.ok, false);
  const codes = r.issues.map((i) => `${i.code} ${i.path} @${i.line}`);
  const has = (code: string, path: string) =>
    assert.ok(
      r.issues.some((i) => i.code === code && i.path === path),
      `${code} at ${path} in\n${codes.join('\n')}`,
    );
  has('E_WEAK_IDENTITY', '/rules/0/match/program/name');
  has('E_DUPLICATE_ID', '/rules/1/id');
  has('E_SIGNER_TOO_BROAD', '/rules/2/match/program/signer/subject');
  has('E_SIGNER_TOO_BROAD', '/rules/2/match/program/signer/product');
  has('E_BAD_REGEX', '/rules/2/match/args/any/0');
  has('E_SAME_APPROVER', '/exceptions/0/approver');
  has('E_EMPTY_SCOPE', '/exceptions/0/scope');
  has('E_TIME_ORDER', '/exceptions/0/expires');
  assert.ok(r.issues.every((i) => typeof i.line === 'number' && i.file === 'bad.yaml'));
});

test('YAML syntax errors and duplicate keys are located', () => {
  const r = parsePolicyText('apiVersion: execguard.io/v1\nkind: Policy\nkind: Policy\n', 'dup.yaml');
  assert.equal(r.ok, false);
  assert.equal(r.issues[0]?.code, 'E_PARSE');
  assert.equal(r.issues[0]?.line, 3);
  const r2 = parsePolicyText('rules: [\n  - id', 'broken.yaml');
  assert.equal(r2.ok, false);
  assert.equal(r2.issues[0]?.code, 'E_PARSE');
});

test('nonOverridable cannot be switched off', () => {
  const r = parsePolicyText(`${example}\nnonOverridable: { memfdExec: false }\n`, 'x.yaml');
  assert.equal(r.ok, false);
  assert.ok(r.issues.some((i) => i.path === '/nonOverridable/memfdExec'));
});

test('the published JSON Schema is valid draft 2020-12 and agrees with the validator', () => {
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const validate = ajv.compile(policyJsonSchema());
  const good = parsePolicyText(example);
  assert.ok(good.ok);
  assert.equal(validate(good.ok ? good.value : null), true, JSON.stringify(validate.errors));
  assert.equal(validate({ apiVersion: 'execguard.io/v1', kind: 'Policy' }), false);
  const committed = JSON.parse(readFileSync(join(root, 'docs', 'policy.schema.json'), 'utf8'));
  assert.deepEqual(committed, policyJsonSchema(), 'docs/policy.schema.json is stale: run npm run schema');
});

test('events: only the process object is required; wrong types are named', () => {
  assert.deepEqual(validateEvent({ process: { executable: '/bin/ls' } }), []);
  const issues = validateEvent({ process: { pid: 'x', args: 'ls -l' } });
  assert.ok(issues.some((i) => i.path === '/process/pid'));
  assert.ok(issues.some((i) => i.path === '/process/args'));
  assert.ok(validateEvent(null).length > 0);
  assert.ok(validatePolicy(42).length > 0);
});

test('fuzz: mutated policies never throw, every issue has a path and message', () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ['{', '}', '[', ']', ':', '-', ' ', '\n', '"', "'", '&a', '*a', '!!binary', '\t', 'x', '0', '\u0000', '#'];
  for (let i = 0; i < 1500; i++) {
    let text = example;
    const edits = 1 + rand(4);
    for (let e = 0; e < edits; e++) {
      const at = rand(text.length);
      const kind = rand(3);
      if (kind === 0) text = text.slice(0, at) + text.slice(at + 1 + rand(20));
      else if (kind === 1) text = text.slice(0, at) + (alphabet[rand(alphabet.length)] as string) + text.slice(at);
      else text = text.slice(0, at);
    }
    const r = parsePolicyText(text, 'fuzz.yaml');
    for (const issue of r.issues) {
      assert.equal(typeof issue.message, 'string');
      assert.equal(typeof issue.path, 'string');
    }
  }
});
