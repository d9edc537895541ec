// Structural checks of the catalogue: everything compiles, ids are unique, techniques are M0938's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultCatalogue as cat, techniqueIds, techniqueName, techniques } from './index.js';
import { haveSharedData, sharedData } from './testing.js';

const valid = new Set<string>(techniqueIds);

test('seven techniques, names as in the ATT&CK for ICS summary', { skip: !haveSharedData && 'no shared data' }, () => {
  const summary = JSON.parse(readFileSync(join(sharedData, 'attack/m0938-execution-prevention.summary.json'), 'utf8')) as {
    techniques: { external_id: string; name: string }[];
  };
  assert.equal(techniques.length, 7);
  assert.deepEqual(
    techniques.map((t) => [t.id, t.name]),
    summary.techniques.map((t) => [t.external_id, t.name]).sort(),
  );
  assert.equal(techniqueName('T0894'), 'System Binary Proxy Execution');
  assert.equal(techniqueName('t0853'), 'Scripting');
  assert.equal(techniqueName('T1059'), undefined);
});

test('every regular expression compiles', () => {
  const all = [
    ...cat.proxies.flatMap((p) => p.patterns.map((x) => x.args)),
    ...cat.interpreters.flatMap((i) => i.namePatterns ?? []),
    ...cat.loaders,
    ...cat.userWritableLocations.map((l) => l.pattern),
  ];
  for (const re of all) assert.doesNotThrow(() => new RegExp(re, 'i'), re);
});

test('pattern ids are unique per binary and techniques are M0938 techniques', () => {
  for (const p of cat.proxies) {
    const ids = p.patterns.map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length, p.name);
    for (const x of p.patterns) {
      assert.ok(valid.has(x.technique), `${p.name}/${x.id}: ${x.technique}`);
      assert.ok(x.description.length > 10, `${p.name}/${x.id} needs a description`);
    }
  }
  // A pattern id names one behaviour: shared ids must mean the same regex everywhere.
  const byId = new Map<string, string>();
  for (const x of cat.proxies.flatMap((p) => p.patterns.map((y) => ({ ...y, platform: p.platform })))) {
    const key = `${x.platform}:${x.id}`;
    const prev = byId.get(key);
    if (prev !== undefined) assert.equal(prev, x.args, `pattern id ${key} reused for a different regex`);
    byId.set(key, x.args);
  }
  for (const i of cat.interpreters) for (const t of i.techniques) assert.ok(valid.has(t), `${i.id}: ${t}`);
});

test('proxy names are unique per platform, lower-case, with sources and clean directories', () => {
  const seen = new Set<string>();
  for (const p of cat.proxies) {
    const key = `${p.platform}:${p.name}`;
    assert.ok(!seen.has(key), `duplicate proxy ${key}`);
    seen.add(key);
    assert.equal(p.name, p.name.toLowerCase());
    assert.ok(!p.name.includes('/') && !p.name.includes('\\'), p.name);
    assert.ok(p.sources.length > 0, p.name);
    for (const d of p.directories ?? []) {
      assert.equal(d, d.toLowerCase(), d);
      assert.ok(!d.includes('\\') && !d.endsWith('/'), d);
      assert.ok(p.platform === 'windows' ? /^[a-z]:\//.test(d) : d.startsWith('/'), d);
    }
  }
});

test('interpreters: unique ids and names, well-formed flags', () => {
  const ids = cat.interpreters.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length);
  const names = cat.interpreters.flatMap((i) => i.names);
  assert.equal(new Set(names).size, names.length, 'a name belongs to one interpreter');
  for (const i of cat.interpreters) {
    assert.ok(i.names.length > 0, i.id);
    for (const n of i.names) assert.equal(n, n.toLowerCase(), `${i.id}: ${n}`);
    const flags = [...i.inlineFlags, ...(i.scriptFlags ?? []), ...(i.stdinFlags ?? []), ...(i.valueFlags ?? [])];
    for (const f of flags) {
      assert.match(
        f,
        i.caseInsensitiveFlags ? /^(?:-{1,2}|\/|\+)[A-Za-z0-9?][\w-]*$|^-$/ : /^(?:-{1,2}|\+)[A-Za-z0-9][\w-]*$|^-$/,
        `${i.id}: ${f}`,
      );
    }
    const norm = (f: string) => (i.caseInsensitiveFlags ? f.toLowerCase() : f);
    assert.equal(new Set(flags.map(norm)).size, flags.length, `${i.id}: a flag has one role`);
    if (i.clusteredShortFlags)
      assert.ok(
        i.inlineFlags.some((f) => /^-[a-zA-Z]$/.test(f)),
        `${i.id}: clustering needs a short inline flag`,
      );
    for (const e of i.scriptExtensions ?? []) assert.match(e, /^\.[a-z0-9]+$/);
    for (const re of i.namePatterns ?? []) assert.ok(re.startsWith('^') && re.endsWith('$'), `${i.id}: anchor ${re}`);
    assert.ok(i.description.length > 10);
  }
});

test('system binaries: unique, lower-case, directories in the right form', () => {
  const seen = new Set<string>();
  for (const s of cat.systemBinaries) {
    const key = `${s.platform}:${s.name}`;
    assert.ok(!seen.has(key), key);
    seen.add(key);
    assert.ok(s.directories.length > 0);
    for (const d of s.directories) assert.ok(d === d.toLowerCase() && !d.endsWith('/') && !d.includes('\\'), d);
  }
  for (const n of [
    'svchost.exe',
    'lsass.exe',
    'csrss.exe',
    'services.exe',
    'smss.exe',
    'winlogon.exe',
    'explorer.exe',
    'rundll32.exe',
    'taskhostw.exe',
    'conhost.exe',
    'dllhost.exe',
    'wininit.exe',
    'spoolsv.exe',
    'cmd.exe',
    'powershell.exe',
  ])
    assert.ok(seen.has(`windows:${n}`), n);
  for (const n of ['sshd', 'systemd', 'cron', 'bash', 'sh', 'sudo']) assert.ok(seen.has(`linux:${n}`), n);
});

test('location patterns are anchored', () => {
  for (const l of cat.userWritableLocations) assert.ok(l.pattern.startsWith('^'), l.pattern);
});
