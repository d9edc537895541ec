import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Catalogue, type ExecEvent, type HostContext, type Policy, validateEvent, validatePolicy } from '@execguard/schema';
import { canonicalJson, deriveFacts, generateCases, referenceDecide, referenceDigest } from './index.js';

// ---- a small test catalogue (the real one lives in @execguard/knowledge) ---------------------

export const testCatalogue: Catalogue = {
  version: 'test-1',
  interpreters: [
    {
      id: 'bash',
      platform: 'linux',
      names: ['bash', 'sh', 'dash'],
      inlineFlags: ['-c'],
      stdinFlags: ['-s'],
      valueFlags: ['-o', '-O'],
      scriptOperand: 'first-operand',
      clusteredShortFlags: true,
      techniques: ['T0807'],
      description: 'POSIX shells',
    },
    {
      id: 'python',
      platform: 'any',
      names: ['python3', 'python', 'python.exe', 'python3.exe'],
      namePatterns: ['python[0-9.]*(\\.exe)?'],
      inlineFlags: ['-c', '-m'],
      stdinFlags: ['-'],
      valueFlags: ['-W', '-X'],
      scriptOperand: 'first-operand',
      clusteredShortFlags: true,
      techniques: ['T0853'],
      description: 'Python',
    },
    {
      id: 'powershell',
      platform: 'windows',
      names: ['powershell.exe', 'pwsh.exe'],
      inlineFlags: ['-Command', '-EncodedCommand'],
      scriptFlags: ['-File'],
      valueFlags: ['-ExecutionPolicy', '-WindowStyle'],
      scriptOperand: 'first-operand',
      caseInsensitiveFlags: true,
      flagPrefixes: true,
      techniques: ['T0853', 'T0807'],
      description: 'PowerShell',
    },
    {
      id: 'cmd',
      platform: 'windows',
      names: ['cmd.exe'],
      inlineFlags: ['/c', '/k', '/r'],
      scriptOperand: 'none',
      caseInsensitiveFlags: true,
      techniques: ['T0807'],
      description: 'cmd.exe',
    },
  ],
  proxies: [
    {
      name: 'rundll32.exe',
      platform: 'windows',
      directories: ['c:/windows/system32', 'c:/windows/syswow64'],
      patterns: [
        { id: 'rundll32-js', args: 'javascript:', technique: 'T0853', category: 'script', description: 'mshtml' },
        { id: 'rundll32-control', args: 'control_rundll', technique: 'T0807', category: 'execute', description: 'cpl' },
      ],
      sources: ['lolbas'],
    },
    {
      name: 'certutil.exe',
      platform: 'windows',
      directories: ['c:/windows/system32'],
      patterns: [
        { id: 'certutil-download', args: '-urlcache|-verifyctl', technique: 'T0807', category: 'download', description: 'dl' },
        { id: 'certutil-decode', args: '-decode', technique: 'T0871', category: 'execute', description: 'decode' },
      ],
      sources: ['lolbas'],
    },
    {
      name: 'find',
      platform: 'linux',
      directories: ['/usr/bin', '/bin'],
      patterns: [{ id: 'find-exec', args: '-exec\\s', technique: 'T0807', category: 'shell', description: 'exec' }],
      sources: ['gtfobins'],
    },
  ],
  systemBinaries: [
    { name: 'svchost.exe', platform: 'windows', directories: ['c:/windows/system32', 'c:/windows/syswow64'] },
    { name: 'services.exe', platform: 'windows', directories: ['c:/windows/system32'] },
    { name: 'sshd', platform: 'linux', directories: ['/usr/sbin'] },
  ],
  loaders: ['^ld-linux(-[a-z0-9_-]+)?\\.so(\\.[0-9]+)*$', '^ld-[0-9.]+\\.so$'],
  userWritableLocations: [
    { platform: 'windows', pattern: '^c:/users/[^/]+/appdata/local/temp/', kind: 'temp' },
    { platform: 'windows', pattern: '^c:/users/[^/]+/downloads/', kind: 'download' },
    { platform: 'windows', pattern: '^[d-z]:/', kind: 'removable' },
    { platform: 'linux', pattern: '^/tmp/', kind: 'temp' },
    { platform: 'linux', pattern: '^/dev/shm/', kind: 'shared-memory' },
    { platform: 'linux', pattern: '^/home/[^/]+/', kind: 'user-profile' },
  ],
};

// ---- helpers ---------------------------------------------------------------------------------

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOST: HostContext = { id: 'hmi-01', name: 'HMI-01', role: 'hmi', labels: { site: 'north' } };
const H = (c: string) => c.repeat(64);

function policy(extra: Record<string, unknown> = {}): Policy {
  const p = {
    apiVersion: 'execguard.io/v1',
    kind: 'Policy',
    metadata: { name: 'test', version: 1 },
    defaults: { mode: 'enforce', failMode: 'open' },
    rules: [],
    ...extra,
  } as unknown as Policy;
  assert.deepEqual(validatePolicy(p), [], 'hand-written policy must be valid');
  return p;
}

type Ev = { [K in keyof ExecEvent]?: ExecEvent[K] } & { process: Record<string, unknown> };
function ev(e: Ev): ExecEvent {
  const out = { host: { id: 'hmi-01', name: 'HMI-01' }, ...e } as unknown as ExecEvent;
  assert.deepEqual(validateEvent(out), []);
  return out;
}

const linuxProc = (exe: string, args: string[], extra: Record<string, unknown> = {}) => ({
  executable: exe,
  args: [exe, ...args],
  ...extra,
});
const winProc = (exe: string, args: string[], extra: Record<string, unknown> = {}) => ({
  executable: exe,
  args: [exe, ...args],
  ...extra,
});

function decide(p: Policy, e: ExecEvent, ctx: { now?: number; host?: HostContext } = {}) {
  const d = referenceDecide(p, testCatalogue, e, { now: ctx.now ?? NOW, host: ctx.host ?? HOST });
  assert.ok(d.reasons.length >= 1);
  assert.ok(
    d.reasons.some((r) => r.source === d.ruleId),
    `a reason names the deciding rule ${d.ruleId}`,
  );
  assert.deepEqual([...d.techniques], [...new Set(d.techniques)].sort());
  return d;
}

const facts = (e: ExecEvent) => deriveFacts(e, testCatalogue);

// A python script run from a package-owned, admin-only interpreter.
const PY = '/usr/bin/python3';
const pyEvent = (args: string[], eg: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ev({
    host: { id: 'hmi-01', os: { family: 'linux' } },
    process: linuxProc(PY, args, { hash: { sha256: H('a') }, working_directory: '/home/op', ...extra }),
    execguard: {
      process: { package: { manager: 'dpkg', name: 'python3.11-minimal', verified: true }, path_admin_only: true },
      ...eg,
    },
  } as Ev);
const allowPython = {
  id: 'allow-python',
  action: 'allow',
  match: { program: { package: { manager: 'dpkg', names: ['python3.11-minimal'] } } },
} as const;

const hmiEvent = (extra: Record<string, unknown> = {}, eg: Record<string, unknown> = {}) =>
  ev({
    host: { id: 'hmi-01', os: { family: 'windows' } },
    process: winProc('C:\\Program Files\\Siemens\\WinCC\\bin\\hmi.exe', [], {
      hash: { sha256: H('b') },
      code_signature: { signed: true, trusted: true, status: 'valid', subject_name: 'CN=Siemens AG, O=Siemens AG, C=DE' },
      pe: { product: 'SIMATIC WinCC', file_version: '8.0.1.0', original_file_name: 'hmi.exe' },
      ...extra,
    }),
    execguard: { process: { path_admin_only: true }, ...eg },
  } as Ev);
const allowHmi = { id: 'allow-hmi', action: 'allow', match: { program: { sha256: [H('b')] } } } as const;

// ---- §6 precedence -------------------------------------------------------------------------

describe('§6 precedence', () => {
  const loaderEvent = ev({
    host: { id: 'hmi-01', os: { family: 'linux' } },
    process: linuxProc('/lib64/ld-linux-x86-64.so.2', ['/tmp/payload'], { hash: { sha256: H('c') } }),
  } as Ev);
  const everything = {
    rules: [{ id: 'allow-c', action: 'allow', match: { program: { sha256: [H('c')] } } }],
    exceptions: [
      {
        id: 'exc-c',
        scope: { hosts: ['hmi-01'] },
        match: { program: { sha256: [H('c')] } },
        requester: 'alice',
        approver: 'bob',
        ticket: 'T-1',
        reason: 'r',
        expires: '2027-01-01T00:00:00Z',
      },
    ],
    neverBlock: [{ id: 'nb-c', program: { sha256: [H('c')] }, reason: 'critical' }],
    maintenanceWindows: [
      {
        id: 'mw',
        ticket: 'MW-1',
        scope: { hosts: ['hmi-01'] },
        start: '2026-01-01T00:00:00Z',
        end: '2027-01-01T00:00:00Z',
        relax: { defaultDeny: true, enforcement: true },
      },
    ],
  };

  it('row 1: a loader invocation is denied whatever else the policy says', () => {
    const d = decide(policy(everything), loaderEvent);
    assert.equal(d.verdict, 'deny');
    assert.equal(d.decidedBy, 'non-overridable');
    assert.equal(d.ruleId, 'builtin:loader-invocation');
    assert.equal(d.effect, 'denied');
    assert.equal(d.exceptionId, null);
    assert.equal(d.neverBlockId, null);
    assert.ok(d.techniques.includes('T0894'));
  });

  it('row 1: the sensor flag alone makes a loader invocation', () => {
    const e = hmiEvent({}, { loader_invocation: true });
    const d = decide(policy({ rules: [allowHmi] }), e);
    assert.equal(d.ruleId, 'builtin:loader-invocation');
  });

  it('row 1 in audit mode is still only would-deny', () => {
    const d = decide(policy({ ...everything, defaults: { mode: 'audit', failMode: 'closed' } }), loaderEvent);
    assert.equal(d.decidedBy, 'non-overridable');
    assert.equal(d.effect, 'would-deny');
    assert.equal(d.failMode, 'closed');
  });

  it('row 2: memfd execution (path or sensor flag)', () => {
    const e = ev({ process: { executable: '/memfd:x (deleted)', args: ['x'], hash: { sha256: H('c') } } });
    const d = decide(policy(everything), e);
    assert.equal(d.ruleId, 'builtin:memfd-exec');
    assert.equal(d.effect, 'denied');
    assert.ok(d.techniques.includes('T0834'));
    const e2 = ev({ process: { executable: 'memfd:payload', args: ['x'] } });
    assert.equal(decide(policy(), e2).ruleId, 'builtin:memfd-exec');
    const e3 = hmiEvent({}, { memfd: true });
    assert.equal(decide(policy({ rules: [allowHmi] }), e3).ruleId, 'builtin:memfd-exec');
  });

  it('row 1 comes before row 2', () => {
    const e = ev({ process: { executable: '/memfd:x', args: ['x'] }, execguard: { loader_invocation: true } });
    assert.equal(decide(policy(), e).ruleId, 'builtin:loader-invocation');
  });

  const denyHmi = { id: 'deny-hmi', action: 'deny', techniques: ['T0871'], match: { program: { sha256: [H('b')] } } } as const;
  const exc = (extra: Record<string, unknown> = {}) => ({
    id: 'exc-hmi',
    scope: { roles: ['hmi'] },
    match: { program: { sha256: [H('b')] } },
    requester: 'alice',
    approver: 'bob',
    ticket: 'CHG-1',
    reason: 'vendor',
    expires: '2026-06-02T00:00:00Z',
    ...extra,
  });

  it('row 3: an active exception beats a deny rule', () => {
    const d = decide(policy({ rules: [denyHmi], exceptions: [exc()] }), hmiEvent());
    assert.equal(d.verdict, 'allow');
    assert.equal(d.effect, 'allowed');
    assert.equal(d.decidedBy, 'exception');
    assert.equal(d.ruleId, 'exc-hmi');
    assert.equal(d.exceptionId, 'exc-hmi');
    assert.ok(!d.techniques.includes('T0871'));
  });

  it('row 3: expired, not yet valid, out-of-scope or non-covering exceptions do not apply', () => {
    const cases = [
      exc({ expires: '2026-06-01T12:00:00Z' }), // expires == now: inactive
      exc({ notBefore: '2026-06-01T12:00:00.001Z', expires: '2026-07-01T00:00:00Z' }),
      exc({ scope: { roles: ['ews'] } }),
      exc({ match: { program: { sha256: [H('b')] }, user: { names: ['engineer'] } } }),
    ];
    for (const x of cases) {
      const d = decide(policy({ rules: [denyHmi], exceptions: [x] }), hmiEvent());
      assert.equal(d.decidedBy, 'deny-rule', JSON.stringify(x));
      assert.equal(d.exceptionId, null);
    }
    // notBefore == now is active
    const d = decide(policy({ rules: [denyHmi], exceptions: [exc({ notBefore: '2026-06-01T12:00:00Z' })] }), hmiEvent());
    assert.equal(d.decidedBy, 'exception');
  });

  it('row 3: an exception must cover the content alone', () => {
    const e = pyEvent(['-c', 'print(1)']);
    const x = {
      id: 'exc-py',
      scope: { hosts: ['hmi-01'] },
      match: { program: { sha256: [H('a')] } },
      requester: 'alice',
      approver: 'bob',
      ticket: 'T',
      reason: 'r',
      expires: '2027-01-01T00:00:00Z',
    };
    const inlineRule = { id: 'allow-inline', action: 'allow', match: { program: { sha256: [H('a')] }, inlineCode: true } };
    // the exception does not approve the inline code; the allow rule approving only inline code
    // together with the exception would, but the exception must cover alone → allow rule decides
    let d = decide(policy({ rules: [inlineRule], exceptions: [x] }), e);
    assert.equal(d.decidedBy, 'allow-rule');
    assert.equal(d.ruleId, 'allow-inline');
    d = decide(policy({ exceptions: [{ ...x, match: { ...x.match, inlineCode: true } }] }), e);
    assert.equal(d.decidedBy, 'exception');
  });

  it('row 4: a deny rule beats allow rules, and adds its techniques', () => {
    const d = decide(policy({ rules: [allowHmi, denyHmi] }), hmiEvent());
    assert.equal(d.decidedBy, 'deny-rule');
    assert.equal(d.ruleId, 'deny-hmi');
    assert.equal(d.effect, 'denied');
    assert.ok(d.techniques.includes('T0871'));
  });

  it('row 4: first deny rule in document order; appliesTo limits it to hosts', () => {
    const d1 = { id: 'deny-1', action: 'deny', appliesTo: { roles: ['ews'] }, match: { program: { sha256: [H('b')] } } };
    const d2 = { id: 'deny-2', action: 'deny', match: { masquerade: false } };
    const d3 = { id: 'deny-3', action: 'deny', match: { program: { sha256: [H('b')] } } };
    assert.equal(decide(policy({ rules: [d1, d2, d3] }), hmiEvent()).ruleId, 'deny-2');
    assert.equal(decide(policy({ rules: [d1, d3, d2] }), hmiEvent()).ruleId, 'deny-3');
    assert.equal(decide(policy({ rules: [d1, d3] }), hmiEvent(), { host: { id: 'ews-1', role: 'ews' } }).ruleId, 'deny-1');
  });

  it('row 4: a window relaxing a deny rule lets rows 5–7 decide, and sets windowId', () => {
    const w = {
      id: 'mw-1',
      ticket: 'MW-1',
      scope: { hosts: ['HMI-01'] },
      start: '2026-06-01T00:00:00Z',
      end: '2026-06-02T00:00:00Z',
      relax: { rules: ['deny-hmi'] },
    };
    let d = decide(policy({ rules: [denyHmi, allowHmi], maintenanceWindows: [w] }), hmiEvent());
    assert.equal(d.decidedBy, 'allow-rule');
    assert.equal(d.ruleId, 'allow-hmi');
    assert.equal(d.windowId, 'mw-1');
    d = decide(policy({ rules: [denyHmi], maintenanceWindows: [w] }), hmiEvent());
    assert.equal(d.decidedBy, 'default-deny');
    assert.equal(d.windowId, 'mw-1');
    // window over: the deny rule applies again
    d = decide(policy({ rules: [denyHmi, allowHmi], maintenanceWindows: [w] }), hmiEvent(), {
      now: Date.parse('2026-06-02T00:00:00Z'),
    });
    assert.equal(d.ruleId, 'deny-hmi');
    assert.equal(d.windowId, null);
  });

  it('row 5: allow rules; row 6: window relaxing default deny; row 7: default deny', () => {
    let d = decide(policy({ rules: [allowHmi] }), hmiEvent());
    assert.deepEqual([d.verdict, d.effect, d.decidedBy, d.ruleId], ['allow', 'allowed', 'allow-rule', 'allow-hmi']);
    const w = {
      id: 'mw-dd',
      ticket: 'MW-2',
      scope: { labels: { site: 'north' } },
      start: '2026-06-01T00:00:00Z',
      end: '2026-06-02T00:00:00Z',
      relax: { defaultDeny: true },
    };
    d = decide(policy({ maintenanceWindows: [w] }), hmiEvent());
    assert.deepEqual([d.verdict, d.decidedBy, d.ruleId, d.windowId], ['allow', 'maintenance-window', 'mw-dd', 'mw-dd']);
    // a deny rule still wins over the window
    d = decide(policy({ rules: [denyHmi], maintenanceWindows: [w] }), hmiEvent());
    assert.equal(d.decidedBy, 'deny-rule');
    d = decide(policy(), hmiEvent());
    assert.deepEqual(
      [d.verdict, d.effect, d.decidedBy, d.ruleId, d.windowId],
      ['deny', 'denied', 'default-deny', 'default-deny', null],
    );
  });
});

// ---- §7 effect -------------------------------------------------------------------------------

describe('§7 effect', () => {
  const nb = { id: 'nb-hmi', program: { sha256: [H('b')] }, reason: 'HMI must never stop' };
  const enforceWin = {
    id: 'mw-enf',
    ticket: 'MW',
    scope: { hosts: ['hmi-01'] },
    start: '2026-05-01T00:00:00Z',
    end: '2026-07-01T00:00:00Z',
    relax: { enforcement: true },
  };

  it('learn and audit turn a deny into would-deny', () => {
    for (const mode of ['learn', 'audit'] as const) {
      const d = decide(policy({ defaults: { mode, failMode: 'open' } }), hmiEvent());
      assert.equal(d.effect, 'would-deny');
      assert.equal(d.mode, mode);
    }
  });

  it('scopes: first matching scope gives mode and failMode (inherited when absent)', () => {
    const scopes = [
      { id: 'ews', selector: { roles: ['ews'] }, mode: 'audit' },
      { id: 'north', selector: { labels: { site: 'north' } }, mode: 'learn' },
      { id: 'all', selector: {}, mode: 'enforce', failMode: 'closed' },
    ];
    let d = decide(policy({ scopes }), hmiEvent());
    assert.deepEqual([d.scopeId, d.mode, d.failMode, d.effect], ['north', 'learn', 'open', 'would-deny']);
    d = decide(policy({ scopes }), hmiEvent(), { host: { id: 'x' } });
    assert.deepEqual([d.scopeId, d.mode, d.failMode, d.effect], ['all', 'enforce', 'closed', 'denied']);
    d = decide(policy({ scopes: scopes.slice(0, 1) }), hmiEvent(), { host: { id: 'x' } });
    assert.deepEqual([d.scopeId, d.mode, d.failMode], ['default', 'enforce', 'open']);
  });

  it('enforce: an enforcement window records would-deny with windowId', () => {
    const d = decide(policy({ maintenanceWindows: [enforceWin] }), hmiEvent());
    assert.deepEqual([d.verdict, d.effect, d.windowId, d.neverBlockId], ['deny', 'would-deny', 'mw-enf', null]);
  });

  it('enforce: never-block records would-deny with neverBlockId; window first', () => {
    let d = decide(policy({ neverBlock: [nb] }), hmiEvent());
    assert.deepEqual([d.verdict, d.effect, d.neverBlockId, d.windowId], ['deny', 'would-deny', 'nb-hmi', null]);
    d = decide(policy({ neverBlock: [nb], maintenanceWindows: [enforceWin] }), hmiEvent());
    assert.deepEqual([d.effect, d.neverBlockId, d.windowId], ['would-deny', null, 'mw-enf']);
    // not on this host
    d = decide(policy({ neverBlock: [{ ...nb, appliesTo: { roles: ['ews'] } }] }), hmiEvent());
    assert.equal(d.effect, 'denied');
    // for a deny rule too
    d = decide(policy({ neverBlock: [nb], rules: [{ id: 'd', action: 'deny', match: { masquerade: false } }] }), hmiEvent());
    assert.deepEqual([d.decidedBy, d.effect, d.neverBlockId], ['deny-rule', 'would-deny', 'nb-hmi']);
  });

  it('enforce: non-overridable denies ignore windows and never-block', () => {
    const d = decide(policy({ neverBlock: [nb], maintenanceWindows: [enforceWin] }), hmiEvent({}, { memfd: true }));
    assert.deepEqual([d.effect, d.neverBlockId, d.windowId], ['denied', null, null]);
  });

  it('inactive or out-of-scope windows do nothing', () => {
    const past = { ...enforceWin, start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };
    const other = { ...enforceWin, id: 'mw-other', scope: { hosts: ['ews-01'] } };
    const d = decide(policy({ maintenanceWindows: [past, other] }), hmiEvent());
    assert.deepEqual([d.effect, d.windowId], ['denied', null]);
  });
});

// ---- §4 identities ---------------------------------------------------------------------------

describe('§4 identities', () => {
  const allowWith = (program: Record<string, unknown>) => policy({ rules: [{ id: 'a', action: 'allow', match: { program } }] });
  const allowed = (program: Record<string, unknown>, e: ExecEvent) => decide(allowWith(program), e).verdict === 'allow';
  const signer = { subject: 'CN=Siemens AG, O=Siemens AG, C=DE', product: 'SIMATIC WinCC' };

  it('sha256 compares case-insensitively', () => {
    assert.ok(allowed({ sha256: [H('B')] }, hmiEvent()));
    assert.ok(allowed({ sha256: [H('b')] }, hmiEvent({ hash: { sha256: H('B') } })));
    assert.ok(!allowed({ sha256: [H('c')] }, hmiEvent()));
    assert.ok(!allowed({ sha256: [H('b')] }, hmiEvent({ hash: {} })));
  });

  it('signer: signed, trusted, valid, subject, product, minVersion, originalFileName', () => {
    assert.ok(allowed({ signer }, hmiEvent()));
    assert.ok(allowed({ signer: { subject: ' cn=siemens ag, o=siemens ag, c=de ', product: 'simatic wincc' } }, hmiEvent()));
    const sig = (cs: Record<string, unknown>) => hmiEvent({ code_signature: { subject_name: signer.subject, ...cs } });
    assert.ok(allowed({ signer }, sig({ signed: true })));
    assert.ok(!allowed({ signer }, sig({ signed: false })));
    assert.ok(!allowed({ signer }, sig({})));
    assert.ok(!allowed({ signer }, sig({ signed: true, trusted: false })));
    assert.ok(!allowed({ signer }, sig({ signed: true, status: 'errorExpired' })));
    assert.ok(allowed({ signer }, sig({ signed: true, status: 'Valid' })));
    assert.ok(!allowed({ signer: { ...signer, subject: 'CN=Rockwell Automation Inc' } }, hmiEvent()));
    assert.ok(!allowed({ signer: { ...signer, product: 'SIMATIC PCS 7' } }, hmiEvent()));
    assert.ok(allowed({ signer: { ...signer, minVersion: '8' } }, hmiEvent()));
    assert.ok(allowed({ signer: { ...signer, minVersion: '8.0.1' } }, hmiEvent()));
    assert.ok(!allowed({ signer: { ...signer, minVersion: '8.0.1.1' } }, hmiEvent()));
    assert.ok(!allowed({ signer: { ...signer, minVersion: '10' } }, hmiEvent()));
    const pe = (p: Record<string, unknown>) => hmiEvent({ pe: { product: 'SIMATIC WinCC', ...p } });
    assert.ok(!allowed({ signer: { ...signer, minVersion: '1' } }, pe({})), 'missing version ⇒ no match');
    assert.ok(
      allowed({ signer: { ...signer, minVersion: '10.0' } }, pe({ file_version: '10.0.19041.1 (WinBuild.160101.0800)' })),
    );
    assert.ok(allowed({ signer }, pe({})), 'no minVersion ⇒ version not needed');
    assert.ok(allowed({ signer: { ...signer, originalFileName: 'HMI.EXE' } }, hmiEvent()));
    assert.ok(!allowed({ signer: { ...signer, originalFileName: 'other.exe' } }, hmiEvent()));
    assert.ok(!allowed({ signer: { ...signer, originalFileName: 'hmi.exe' } }, pe({})));
  });

  it('package: verified, manager, names', () => {
    const e = (pkg: Record<string, unknown>) =>
      ev({ process: linuxProc('/usr/sbin/sshd', []), execguard: { process: { package: pkg } } } as Ev);
    const good = e({ manager: 'rpm', name: 'openssh-server', verified: true });
    assert.ok(allowed({ package: { manager: 'rpm' } }, good));
    assert.ok(allowed({ package: { manager: 'any', names: ['openssh-server'] } }, good));
    assert.ok(!allowed({ package: { manager: 'dpkg' } }, good));
    assert.ok(!allowed({ package: { manager: 'rpm', names: ['openssh'] } }, good));
    assert.ok(!allowed({ package: { manager: 'any' } }, e({ manager: 'rpm', name: 'openssh-server', verified: false })));
    assert.ok(!allowed({ package: { manager: 'any' } }, ev({ process: linuxProc('/usr/sbin/sshd', []) })));
  });

  it('path: admin-only provenance and globs', () => {
    const e = (exe: string, adminOnly: boolean | undefined) =>
      ev({
        process: { executable: exe, args: [exe] },
        ...(adminOnly === undefined ? {} : { execguard: { process: { path_admin_only: adminOnly } } }),
      } as Ev);
    assert.ok(allowed({ path: ['/opt/scada/bin/hmi'] }, e('/opt/scada/bin/hmi', true)));
    assert.ok(!allowed({ path: ['/opt/scada/bin/hmi'] }, e('/opt/scada/bin/hmi', false)));
    assert.ok(!allowed({ path: ['/opt/scada/bin/hmi'] }, e('/opt/scada/bin/hmi', undefined)));
    assert.ok(allowed({ path: ['/opt/scada/bin/*'] }, e('/opt/scada/bin/hmi', true)));
    assert.ok(!allowed({ path: ['/opt/scada/*'] }, e('/opt/scada/bin/hmi', true)), '* stays within one segment');
    assert.ok(allowed({ path: ['/opt/**'] }, e('/opt/scada/bin/hmi', true)));
    assert.ok(allowed({ path: ['/opt/**/hmi'] }, e('/opt/hmi', true)));
    assert.ok(allowed({ path: ['/opt/scada/bin/hm?'] }, e('/opt/scada/bin/hmi', true)));
    assert.ok(!allowed({ path: ['/opt/scada/bin/h?'] }, e('/opt/scada/bin/hmi', true)));
    assert.ok(!allowed({ path: ['/OPT/scada/bin/hmi'] }, e('/opt/scada/bin/hmi', true)), 'POSIX globs are case-sensitive');
    assert.ok(!allowed({ path: ['/opt/scada/bin/hmi.'] }, e('/opt/scada/bin/hmix', true)), 'regex metacharacters are literal');
    const w = 'C:\\Program Files\\Siemens\\WinCC\\bin\\hmi.exe';
    assert.ok(allowed({ path: ['c:/program files/siemens/**'] }, e(w, true)));
    assert.ok(allowed({ path: ['C:\\PROGRAM FILES\\Siemens\\WinCC\\bin\\*.exe'] }, e(w, true)));
    assert.ok(!allowed({ path: ['c:/program files/siemens/*'] }, e(w, true)));
  });

  it('name: basename or original name, case-insensitive (with a signer beside it)', () => {
    const signerName = (name: string) => ({ signer, name: [name] });
    assert.ok(allowed(signerName('HMI.exe'), hmiEvent()));
    assert.ok(
      allowed(
        signerName('hmi-renamed.exe'),
        hmiEvent({ pe: { product: 'SIMATIC WinCC', original_file_name: 'HMI-Renamed.EXE.MUI' } }),
      ),
    );
    assert.ok(!allowed(signerName('other.exe'), hmiEvent()));
    // a bare name in a deny rule
    const d = decide(
      policy({ rules: [{ id: 'deny-name', action: 'deny', match: { program: { name: ['HMI.EXE'] } } }] }),
      hmiEvent(),
    );
    assert.equal(d.ruleId, 'deny-name');
  });

  it('every key present must match', () => {
    assert.ok(allowed({ sha256: [H('b')], signer }, hmiEvent()));
    assert.ok(!allowed({ sha256: [H('b')], signer: { ...signer, product: 'x' } }, hmiEvent()));
  });
});

// ---- §5 conditions and approval --------------------------------------------------------------

describe('§5 conditions', () => {
  const denyIf = (match: Record<string, unknown>) => policy({ rules: [allowHmi, { id: 'deny-if', action: 'deny', match }] });
  const denied = (match: Record<string, unknown>, e: ExecEvent) => decide(denyIf(match), e).ruleId === 'deny-if';

  it('args: any / all / none, case-insensitive unless caseSensitive, command_line fallback', () => {
    const e = hmiEvent({ args: ['hmi.exe', '/Project', 'C:\\plant\\line1.mcp', '/Runtime'] });
    assert.ok(denied({ args: { any: ['/project', 'nothing'] } }, e));
    assert.ok(!denied({ args: { any: ['/project'], caseSensitive: true } }, e));
    assert.ok(denied({ args: { all: ['/project', 'runtime$'] } }, e));
    assert.ok(!denied({ args: { all: ['/project', 'nothing'] } }, e));
    assert.ok(denied({ args: { none: ['nothing'] } }, e));
    assert.ok(!denied({ args: { none: ['RUNTIME'] } }, e));
    assert.ok(denied({ args: { any: ['^/Project C:\\\\plant'] } }, e), 'args after args[0], single spaces');
    const cl = hmiEvent({ args: undefined, command_line: '"C:\\Program Files\\hmi.exe" /Project x.mcp' });
    assert.ok(denied({ args: { any: ['^/Project x\\.mcp$'] } }, cl));
    const cl2 = hmiEvent({ args: undefined, command_line: 'hmi.exe   -v' });
    assert.ok(denied({ args: { any: ['^-v$'] } }, cl2));
  });

  it('parent, ancestor, user', () => {
    const e = hmiEvent({
      parent: { executable: 'C:\\Windows\\explorer.exe', hash: { sha256: H('d') } },
    });
    const withAnc = ev({
      ...e,
      execguard: { ...e.execguard, ancestors: [{ executable: 'C:\\x\\winword.exe', hash: { sha256: H('e') } }] },
    } as Ev);
    assert.ok(denied({ parent: { sha256: [H('d')] } }, e));
    assert.ok(!denied({ parent: { sha256: [H('e')] } }, withAnc));
    assert.ok(denied({ ancestor: { sha256: [H('e')] } }, withAnc));
    assert.ok(denied({ ancestor: { sha256: [H('d')] } }, withAnc), 'the parent is an ancestor');
    assert.ok(!denied({ parent: { sha256: [H('d')] } }, hmiEvent({ parent: undefined })));
    const u = ev({ ...e, user: { name: 'operator', id: '1000', group: { name: 'ops' } }, execguard: { groups: ['plc'] } } as Ev);
    assert.ok(denied({ user: { names: ['operator'] } }, u));
    assert.ok(denied({ user: { ids: ['1000'] } }, u));
    assert.ok(denied({ user: { groups: ['ops'] } }, u));
    assert.ok(denied({ user: { groups: ['plc'] } }, u));
    assert.ok(!denied({ user: { names: ['engineer'], groups: ['admins'] } }, u));
  });

  it('proxyUse, masquerade, userWritableLocation', () => {
    const rundll = (exe: string, args: string[], pe: Record<string, unknown> = {}) =>
      ev({ host: { id: 'h', os: { family: 'windows' } }, process: { executable: exe, args: [exe, ...args], pe } } as Ev);
    const sys = 'C:\\Windows\\System32\\rundll32.exe';
    let f = facts(rundll(sys, ['javascript:"\\..\\mshtml,RunHTMLApplication"']));
    assert.deepEqual([f.proxyUse, f.masquerade, f.userWritable], [true, false, false]);
    f = facts(rundll(sys, ['shell32.dll,Control_RunDLL', 'x.cpl']));
    assert.ok(f.proxyUse);
    f = facts(rundll(sys, ['user32.dll,LockWorkStation']));
    assert.ok(!f.proxyUse);
    // renamed proxy: original name still a proxy, and a masquerade
    f = facts(rundll('C:\\Users\\op\\Downloads\\invoice.exe', ['javascript:x'], { original_file_name: 'RUNDLL32.EXE' }));
    assert.deepEqual([f.proxyUse, f.masquerade, f.userWritable], [true, true, true]);
    // the original name with .mui, differing only in case, is no masquerade
    f = facts(rundll(sys, [], { original_file_name: 'RunDLL32.exe.mui' }));
    assert.ok(!f.masquerade);
    // a system name in the wrong directory
    assert.ok(facts(rundll('C:\\Windows\\svchost.exe', [])).masquerade);
    assert.ok(!facts(rundll('C:\\Windows\\SysWOW64\\svchost.exe', [])).masquerade);
    assert.ok(facts(ev({ process: linuxProc('/tmp/sshd', []) })).masquerade);
    assert.ok(!facts(ev({ process: linuxProc('/usr/sbin/sshd', []) })).masquerade);
    // linux proxy and user-writable
    const find = ev({ process: linuxProc('/usr/bin/find', ['.', '-exec', '/bin/sh', ';']) });
    assert.ok(facts(find).proxyUse);
    assert.ok(facts(ev({ process: linuxProc('/dev/shm/x', []) })).userWritable);
    assert.ok(facts(rundll('E:\\setup.exe', [])).userWritable);
    assert.ok(!facts(ev({ process: linuxProc('/usr/bin/find', ['/', '-name', 'x']) })).proxyUse);
    const d = decide(denyIf({ proxyUse: true }), find);
    assert.equal(d.ruleId, 'deny-if');
    assert.deepEqual(d.techniques, ['T0807']);
  });

  it('techniques: facts plus the deciding deny rule, sorted and unique', () => {
    const e = ev({
      host: { id: 'h', os: { family: 'windows' } },
      process: winProc('C:\\Users\\op\\Downloads\\x.exe', ['-urlcache', '-decode'], {
        pe: { original_file_name: 'certutil.exe' },
      }),
    } as Ev);
    const p = policy({ rules: [{ id: 'd', action: 'deny', techniques: ['T0807', 'T0800'], match: { proxyUse: true } }] });
    assert.deepEqual(decide(p, e).techniques, ['T0800', 'T0807', 'T0849', 'T0863', 'T0871']);
    // default deny: no rule techniques
    assert.deepEqual(decide(policy(), e).techniques, ['T0807', 'T0849', 'T0863', 'T0871']);
  });
});

describe('§5 approval and cover', () => {
  const scriptRule = { id: 'allow-job', action: 'allow', match: { script: { path: ['/opt/scada/scripts/*.py'] } } } as const;
  const scriptEvent = (eg: Record<string, unknown> = { script: { path_admin_only: true } }) =>
    ev({
      ...pyEvent(['/opt/scada/scripts/job.py']),
      file: { path: '/opt/scada/scripts/job.py', hash: { sha256: H('f') } },
      execguard: { ...pyEvent([]).execguard, ...eg },
    } as Ev);

  it('allowing python3 lets it start but not run an unapproved script', () => {
    assert.equal(decide(policy({ rules: [allowPython] }), pyEvent([])).ruleId, 'allow-python');
    assert.equal(decide(policy({ rules: [allowPython] }), pyEvent(['-V'])).ruleId, 'allow-python');
    const d = decide(policy({ rules: [allowPython] }), scriptEvent());
    assert.equal(d.decidedBy, 'default-deny');
    assert.ok(d.techniques.includes('T0853'));
  });

  it('a script approval plus a program approval cover; ruleId is the content approver, reasons name both', () => {
    const d = decide(policy({ rules: [allowPython, scriptRule] }), scriptEvent());
    assert.equal(d.decidedBy, 'allow-rule');
    assert.equal(d.ruleId, 'allow-job');
    assert.ok(d.reasons.some((r) => r.source === 'allow-python'));
    // a script approval alone does not approve the program
    assert.equal(decide(policy({ rules: [scriptRule] }), scriptEvent()).decidedBy, 'default-deny');
    // script provenance not admin-only: no path match
    assert.equal(decide(policy({ rules: [allowPython, scriptRule] }), scriptEvent({})).decidedBy, 'default-deny');
  });

  it('a rule approving program and content together is preferred', () => {
    const both = { id: 'allow-both', action: 'allow', match: { program: { sha256: [H('a')] }, script: { sha256: [H('f')] } } };
    const d = decide(policy({ rules: [allowPython, scriptRule, both] }), scriptEvent());
    assert.equal(d.ruleId, 'allow-both');
  });

  it('inline code needs inlineCode: true; stdin needs stdinScript: true', () => {
    const inline = { id: 'allow-inline', action: 'allow', match: { program: { sha256: [H('a')] }, inlineCode: true } };
    const stdin = { id: 'allow-stdin', action: 'allow', match: { program: { sha256: [H('a')] }, stdinScript: true } };
    const p = policy({ rules: [allowPython, stdin, inline] });
    assert.equal(decide(policy({ rules: [allowPython] }), pyEvent(['-c', 'x'])).decidedBy, 'default-deny');
    assert.equal(decide(p, pyEvent(['-c', 'x'])).ruleId, 'allow-inline');
    assert.equal(decide(p, pyEvent([], { stdin: 'pipe' })).ruleId, 'allow-stdin');
    assert.equal(decide(policy({ rules: [allowPython, inline] }), pyEvent([], { stdin: 'pipe' })).decidedBy, 'default-deny');
    // inlineCode: false holds only without inline code
    const noInline = { id: 'allow-no-inline', action: 'allow', match: { program: { sha256: [H('a')] }, inlineCode: false } };
    assert.equal(decide(policy({ rules: [noInline] }), pyEvent([])).ruleId, 'allow-no-inline');
    assert.equal(decide(policy({ rules: [noInline, inline] }), pyEvent(['-c', 'x'])).ruleId, 'allow-inline');
  });
});

// ---- §3 argument parsing -------------------------------------------------------------------

describe('§3 interpreter argument parsing', () => {
  const kind = (e: ExecEvent) => facts(e).contentKind;
  const sh = (args: string[], eg: Record<string, unknown> = {}) =>
    ev({ process: linuxProc('/bin/bash', args), execguard: eg } as Ev);
  const ps = (args: string[], extra: Record<string, unknown> = {}) =>
    ev({
      host: { id: 'h', os: { family: 'windows' } },
      process: winProc('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', args, extra),
    } as Ev);
  const cmd = (args: string[]) => ev({ host: { id: 'h' }, process: winProc('C:\\Windows\\System32\\cmd.exe', args) } as Ev);

  it('bash: -c, clustered -xc and -cx, attached, -s, stdin pipe, script operand, -o value', () => {
    assert.equal(kind(sh(['-c', 'id'])), 'inline');
    assert.equal(kind(sh(['-xc', 'id'])), 'inline');
    assert.equal(kind(sh(['-ec', 'id'])), 'inline');
    assert.equal(kind(sh(['-x', '-c', 'id'])), 'inline');
    assert.equal(kind(sh(['--norc', 'run.sh'])), 'script');
    assert.equal(facts(sh(['run.sh'], {})).script?.path, 'run.sh', 'relative without working directory stays as is');
    const withWd = ev({ process: linuxProc('/bin/bash', ['../scripts/./run.sh'], { working_directory: '/home/op/bin' }) });
    assert.equal(facts(withWd).script?.path, '/home/op/scripts/run.sh');
    assert.equal(kind(sh(['-o', 'pipefail', 'run.sh'])), 'script');
    assert.equal(facts(sh(['-o', 'run.sh'])).script, undefined, 'the value of -o is not the script');
    assert.equal(kind(sh(['-s'], { stdin: 'pipe' })), 'stdin');
    assert.equal(kind(sh(['-s'], { stdin: 'tty' })), 'none');
    assert.equal(kind(sh(['-s'])), 'stdin', 'stdin flag with unknown stdin');
    assert.equal(kind(sh(['-xs'], { stdin: 'socket' })), 'stdin', 'stdin flag in a cluster');
    assert.equal(kind(sh([], { stdin: 'file' })), 'stdin');
    assert.equal(kind(sh([], { stdin: 'tty' })), 'none');
    assert.equal(kind(sh([], { stdin: 'tty', inline_code: true })), 'inline');
    assert.equal(kind(sh(['run.sh', '-c', 'x'])), 'script', 'parsing stops at the first operand');
    assert.equal(kind(sh(['run.sh'], { stdin: 'pipe' })), 'script');
  });

  it('python3: -c, -cCODE, -m, -W value, -, renamed interpreter, versioned name', () => {
    assert.equal(kind(pyEvent(['-c', 'print(1)'])), 'inline');
    assert.equal(kind(pyEvent(['-cprint(1)'])), 'inline');
    assert.equal(kind(pyEvent(['-Bc', 'print(1)'])), 'inline');
    assert.equal(kind(pyEvent(['-m', 'http.server'])), 'inline');
    assert.equal(kind(pyEvent(['-W', 'ignore', 'job.py'])), 'script');
    assert.equal(facts(pyEvent(['-W', 'ignore', 'job.py'])).script?.path, '/home/op/job.py');
    assert.equal(kind(pyEvent(['-'], { stdin: 'null' })), 'stdin');
    assert.equal(kind(pyEvent(['-'], { stdin: 'tty' })), 'none');
    const renamed = ev({ process: linuxProc('/tmp/notepad', ['-c', 'x'], { pe: { original_file_name: 'python3' } }) });
    assert.equal(facts(renamed).interpreter?.id, 'python');
    assert.equal(kind(renamed), 'inline');
    assert.equal(facts(ev({ process: linuxProc('/usr/bin/python3.11', ['-c', 'x']) })).interpreter?.id, 'python');
    assert.equal(facts(ev({ process: linuxProc('/usr/bin/mypython3', ['-c', 'x']) })).interpreter, undefined);
    // the not-interpreter always has content kind none
    assert.equal(
      kind(ev({ process: linuxProc('/usr/bin/find', ['-c', 'x']), execguard: { stdin: 'pipe', inline_code: true } })),
      'none',
    );
  });

  it('powershell: -Command, -enc prefix, case, -File, value flags, / options', () => {
    assert.equal(kind(ps(['-Command', 'Get-Date'])), 'inline');
    assert.equal(kind(ps(['-enc', 'SQBFAFgA'])), 'inline');
    assert.equal(kind(ps(['-ENCODEDCOMMAND', 'SQBFAFgA'])), 'inline');
    assert.equal(kind(ps(['-EncodedCommandSQBFAFgA'])), 'none', 'PowerShell takes no attached values: an unknown option');
    assert.equal(kind(ps(['-EncodedCommand=SQBFAFgA'])), 'inline', 'flag=value');
    assert.equal(kind(ps(['-ConfigurationName', 'x', '-File', 'a.ps1'])), 'script', '-c… is not -c with a value attached');
    assert.equal(kind(ps(['-NoProfile', '-co', 'x'])), 'inline');
    assert.equal(kind(ps(['-e', 'x'])), 'script', '-e is too short a prefix: skipped, then x is the operand');
    assert.equal(kind(ps(['-ExecutionPolicy', 'Bypass', '-File', 'C:\\s\\a.ps1'])), 'script');
    assert.equal(facts(ps(['-file', 'C:\\s\\a.ps1'])).script?.path, 'C:/s/a.ps1');
    assert.equal(facts(ps(['-File', 'a.ps1'], { working_directory: 'C:\\Users\\op' })).script?.path, 'C:/Users/op/a.ps1');
    assert.equal(kind(ps(['-ex', 'Bypass', '-nop'])), 'none', 'a prefix of a value flag consumes its value');
    assert.equal(kind(ps(['/NoLogo', 'C:\\s\\a.ps1'])), 'script');
    assert.equal(facts(ps(['-File'])).script, undefined);
    assert.ok(facts(ps(['-enc', 'x'])).techniques.includes('T0853'));
    assert.ok(!facts(ps([])).techniques.includes('T0853'), 'no content ⇒ no interpreter techniques');
  });

  it('cmd: /c, /C, /cdir, operand does not stop parsing', () => {
    assert.equal(kind(cmd(['/c', 'calc.exe'])), 'inline');
    assert.equal(kind(cmd(['/C', 'calc.exe'])), 'inline');
    assert.equal(kind(cmd(['/Q', '/K', 'dir'])), 'inline');
    assert.equal(kind(cmd(['/cdir'])), 'inline');
    assert.equal(kind(cmd(['foo.bat'])), 'none');
    assert.equal(kind(cmd(['foo', '/c', 'x'])), 'inline');
    assert.equal(facts(cmd([])).platform, 'windows', 'platform from the drive letter');
  });

  it('file.path is the script subject, with hash and provenance', () => {
    const e = ev({
      process: linuxProc('/usr/bin/python3', ['job.py'], { working_directory: '/home/op' }),
      file: { path: '/opt/scada/scripts/job.py', hash: { sha256: H('f') } },
      execguard: { script: { path_admin_only: true } },
    } as Ev);
    const f = facts(e);
    assert.equal(f.script?.path, '/opt/scada/scripts/job.py');
    assert.equal(f.script?.sha256, H('f'));
    assert.equal(f.contentKind, 'script');
  });
});

// ---- §1, §8 ---------------------------------------------------------------------------------

describe('§1 host and §8 decision fields', () => {
  it('without ctx.host the host is event.host.id (else name)', () => {
    const p = policy({ scopes: [{ id: 'hmi', selector: { hosts: ['hmi-01'] }, mode: 'audit' }] });
    const e = hmiEvent();
    assert.equal(referenceDecide(p, testCatalogue, e, { now: NOW }).scopeId, 'hmi');
    const byName = ev({ ...e, host: { name: 'hmi-01' } } as Ev);
    assert.equal(referenceDecide(p, testCatalogue, byName, { now: NOW }).scopeId, 'hmi');
    const roleScope = policy({ scopes: [{ id: 'r', selector: { roles: ['hmi'] }, mode: 'audit' }] });
    assert.equal(referenceDecide(roleScope, testCatalogue, e, { now: NOW }).scopeId, 'default', 'no role without ctx.host');
  });

  it('fills every field; digest is sha256 of canonical JSON without tests', () => {
    const p = policy({ rules: [allowHmi] });
    const d = decide(p, hmiEvent());
    assert.deepEqual(
      Object.keys(d).sort(),
      [
        'decidedBy',
        'effect',
        'exceptionId',
        'neverBlockId',
        'policy',
        'reasons',
        'ruleId',
        'scopeId',
        'techniques',
        'verdict',
        'windowId',
        'failMode',
        'mode',
      ].sort(),
    );
    assert.equal(d.policy.name, 'test');
    assert.equal(d.policy.version, 1);
    assert.match(d.policy.digest, /^[0-9a-f]{64}$/);
    const reordered = JSON.parse(
      JSON.stringify({ rules: p.rules, defaults: p.defaults, metadata: p.metadata, kind: p.kind, apiVersion: p.apiVersion }),
    );
    assert.equal(referenceDigest(reordered), d.policy.digest);
    const withTests = { ...p, tests: [{ name: 't', event: {}, expect: { verdict: 'allow' } }] } as Policy;
    assert.equal(referenceDigest(withTests), d.policy.digest);
    assert.notEqual(referenceDigest({ ...p, metadata: { ...p.metadata, version: 2 } }), d.policy.digest);
    assert.equal(canonicalJson({ b: [1, { d: 1, c: 'x' }], a: null }), '{"a":null,"b":[1,{"c":"x","d":1}]}');
  });
});

// ---- generator --------------------------------------------------------------------------------

describe('generator', () => {
  const N = 10_000;
  const cases = generateCases(20260601, N, testCatalogue);

  it('is deterministic', () => {
    const again = generateCases(20260601, 50, testCatalogue);
    assert.deepEqual(again, cases.slice(0, 50));
    assert.notDeepEqual(generateCases(7, 50, testCatalogue), again);
  });

  it('produces valid policies and events', () => {
    for (const [i, c] of cases.entries()) {
      const issues = validatePolicy(c.policy);
      assert.deepEqual(issues, [], `case ${i}: ${JSON.stringify(issues)}\n${JSON.stringify(c.policy)}`);
      assert.deepEqual(validateEvent(c.event), [], `case ${i}`);
    }
  });

  it('covers every row of §6 and every effect path of §7', () => {
    const tally = new Map<string, number>();
    const bump = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
    for (const c of cases) {
      const d = referenceDecide(c.policy, testCatalogue, c.event, c.ctx);
      const f = deriveFacts(c.event, testCatalogue);
      // §6 rows
      const row =
        d.decidedBy === 'non-overridable'
          ? d.ruleId === 'builtin:loader-invocation'
            ? 'row1:loader'
            : 'row2:memfd'
          : `row:${d.decidedBy}`;
      bump(row);
      // §7 paths
      let path: string;
      if (d.verdict === 'allow') path = 'effect:allowed';
      else if (d.mode !== 'enforce') path = `effect:${d.mode}-would-deny`;
      else if (d.decidedBy === 'non-overridable') path = 'effect:enforce-non-overridable-denied';
      else if (d.effect === 'would-deny' && d.neverBlockId !== null) path = 'effect:enforce-never-block';
      else if (d.effect === 'would-deny') path = 'effect:enforce-window';
      else path = 'effect:enforce-denied';
      bump(path);
      // details
      bump(`content:${f.contentKind}`);
      if (d.decidedBy === 'allow-rule' && f.contentKind !== 'none') {
        const rule = c.policy.rules.find((r) => r.id === d.ruleId);
        bump(rule?.match.program !== undefined ? 'allow:program+content-together' : 'allow:content-rule-only');
      }
      if (d.decidedBy === 'allow-rule' && f.contentKind === 'none') bump('allow:program-only');
      if (d.windowId !== null && d.decidedBy !== 'maintenance-window' && d.effect !== 'would-deny')
        bump('window:relaxed-deny-rule');
      if (f.proxyUse) bump('fact:proxy');
      if (f.masquerade) bump('fact:masquerade');
      if (f.userWritable) bump('fact:user-writable');
      if (f.interpreter) bump(`interp:${f.interpreter.id}`);
    }
    const report = Object.fromEntries([...tally.entries()].sort());
    console.log(JSON.stringify(report, null, 1));
    const expected = [
      'row1:loader',
      'row2:memfd',
      'row:exception',
      'row:deny-rule',
      'row:allow-rule',
      'row:maintenance-window',
      'row:default-deny',
      'effect:allowed',
      'effect:learn-would-deny',
      'effect:audit-would-deny',
      'effect:enforce-non-overridable-denied',
      'effect:enforce-window',
      'effect:enforce-never-block',
      'effect:enforce-denied',
      'content:inline',
      'content:script',
      'content:stdin',
      'content:none',
      'allow:program+content-together',
      'allow:content-rule-only',
      'allow:program-only',
      'window:relaxed-deny-rule',
      'fact:proxy',
      'fact:masquerade',
      'fact:user-writable',
    ];
    for (const k of expected) assert.ok((tally.get(k) ?? 0) >= 5, `${k} occurred ${tally.get(k) ?? 0} times`);
  });
});

// ---- readings of ambiguous spec text (see the header of evaluate.ts) ----------------------------

describe('chosen readings of ambiguous text', () => {
  it('os.family is compared case-insensitively; absent ⇒ drive letter / UNC heuristic', () => {
    const e = (family: string | undefined, exe: string) =>
      ev({ host: { id: 'h', ...(family === undefined ? {} : { os: { family } }) }, process: { executable: exe } } as Ev);
    assert.equal(facts(e('Windows', '/x')).platform, 'windows');
    assert.equal(facts(e('debian', 'C:\\x.exe')).platform, 'linux');
    assert.equal(facts(e(undefined, '\\\\srv\\share\\x.exe')).platform, 'windows');
    assert.equal(facts(e(undefined, '/usr/bin/x')).platform, 'linux');
  });

  it('content parsing reads process.args only, never command_line', () => {
    const e = ev({ process: { executable: '/bin/bash', command_line: 'bash -c id' } });
    assert.equal(facts(e).contentKind, 'none');
    assert.equal(facts(e).argString, '-c id');
  });

  it('file.path is no script subject for non-interpreters (content kind stays none)', () => {
    const e = ev({
      process: linuxProc('/opt/scada/bin/hmi', []),
      file: { path: '/opt/scada/scripts/job.py', hash: { sha256: H('f') } },
    } as Ev);
    assert.equal(facts(e).contentKind, 'none');
    assert.equal(facts(e).script, undefined);
    const p = policy({ rules: [{ id: 'deny-script', action: 'deny', match: { script: { sha256: [H('f')] } } }] });
    assert.equal(decide(p, e).ruleId, 'default-deny');
  });

  it('file versions: leading dotted numbers then whitespace or end; anything else never meets minVersion', () => {
    const signer = { subject: 'CN=Siemens AG, O=Siemens AG, C=DE', product: 'SIMATIC WinCC', minVersion: '1' };
    const p = policy({ rules: [{ id: 'a', action: 'allow', match: { program: { signer } } }] });
    for (const [v, ok] of [
      ['1', true],
      ['7.5.0.0', true],
      ['8.0 (build)', true],
      ['1,2,3,4', false],
      ['v2', false],
      ['8.0-beta', false],
      ['', false],
    ] as const) {
      const d = decide(p, hmiEvent({ pe: { product: 'SIMATIC WinCC', file_version: v } }));
      assert.equal(d.verdict === 'allow', ok, v);
    }
  });

  it('windowId: enforcement window over a relax.rules window', () => {
    const deny = { id: 'deny-hmi', action: 'deny', match: { program: { sha256: [H('b')] } } };
    const deny2 = { id: 'deny-2', action: 'deny', match: { masquerade: false } };
    const win = (id: string, relax: Record<string, unknown>) => ({
      id,
      ticket: 'T',
      scope: { hosts: ['hmi-01'] },
      start: '2026-06-01T00:00:00Z',
      end: '2026-06-02T00:00:00Z',
      relax,
    });
    const p = policy({
      rules: [deny, deny2],
      maintenanceWindows: [win('w-rules', { rules: ['deny-hmi'] }), win('w-enf', { enforcement: true })],
    });
    let d = decide(p, hmiEvent());
    assert.deepEqual([d.ruleId, d.effect, d.windowId], ['deny-2', 'would-deny', 'w-enf']);
    assert.ok(d.reasons.some((r) => r.source === 'w-rules'));
    d = decide({ ...p, defaults: { mode: 'audit', failMode: 'open' } }, hmiEvent());
    assert.deepEqual([d.ruleId, d.effect, d.windowId], ['deny-2', 'would-deny', 'w-rules']);
    // a relaxed rule after the deciding one was never reached
    const q = policy({ rules: [deny2, deny], maintenanceWindows: [win('w-rules', { rules: ['deny-hmi'] })] });
    assert.equal(decide(q, hmiEvent()).windowId, null);
  });

  it('a system binary name without a known path is no evidence of masquerade', () => {
    assert.equal(facts(ev({ host: { id: 'h', os: { family: 'linux' } }, process: { name: 'sshd' } })).masquerade, false);
    assert.ok(facts(ev({ host: { id: 'h', os: { family: 'linux' } }, process: { executable: '/tmp/sshd' } })).masquerade);
  });
});
