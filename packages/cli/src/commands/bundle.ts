import {
  type BundleScope,
  type HostIdentity,
  importBundle,
  isTrustError,
  readBundleState,
  signBundle,
  verifyBundle,
  writeFileAtomic,
  writeSigningKey,
} from '@execguard/trust';
import type { Command } from 'commander';
import { EXIT, UserError } from '../errors.js';
import { loadPolicy, parseTime } from '../io.js';
import { collect, exitCodeOf, keyed, loadPrivateKey, loadPublicKeys, positiveInt, readBytes } from '../trust-io.js';

const DAY = 86_400_000;
const DEFAULT_STATE_DIR = process.env.EXECGUARD_STATE_DIR ?? '/var/lib/execguard';

/** --scope host:ID | role:R | label:K=V, repeated; all given must match (the policy selector's rule). */
function scopeFrom(selectors: readonly string[]): BundleScope {
  const hosts: string[] = [];
  const roles: string[] = [];
  const labels: Record<string, string> = {};
  for (const s of selectors) {
    const m = /^(host|role|label):(.+)$/.exec(s);
    if (!m) throw new UserError(`--scope "${s}": expected host:ID, role:ROLE or label:KEY=VALUE`);
    const v = m[2]!;
    if (m[1] === 'host') hosts.push(v);
    else if (m[1] === 'role') roles.push(v);
    else {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UserError(`--scope "${s}": expected label:KEY=VALUE`);
      labels[v.slice(0, eq)] = v.slice(eq + 1);
    }
  }
  return {
    ...(hosts.length ? { hosts } : {}),
    ...(roles.length ? { roles } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
  };
}

interface HostOptions {
  host?: string;
  role?: string;
  label?: string[];
}

function hostFrom(o: HostOptions): HostIdentity | undefined {
  if (!o.host) {
    if (o.role || o.label?.length) throw new UserError('--role and --label need --host');
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const l of o.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UserError(`--label "${l}": expected KEY=VALUE`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return { id: o.host, ...(o.role ? { role: o.role } : {}), ...(Object.keys(labels).length ? { labels } : {}) };
}

/** A refusal: printed (text or JSON) with its code, exit 1 for a verdict, 2 for unreadable input. */
function refuse(file: string, e: unknown, json: boolean | undefined): void {
  if (!isTrustError(e)) throw e;
  if (json) process.stdout.write(`${JSON.stringify({ file, valid: false, code: e.code, message: e.message })}\n`);
  else process.stderr.write(`${file}: refused [${e.code}]: ${e.message}\n`);
  process.exitCode = exitCodeOf(e);
}

const summary = (b: {
  sequence: number;
  version: number;
  digest: string;
  keyId: string;
  notBefore: string;
  expiresAt: string;
  policy: { metadata: { name: string } };
}) =>
  `${b.policy.metadata.name} v${b.version}, sequence ${b.sequence}, valid ${b.notBefore} to ${b.expiresAt}, signed by ${b.keyId}, digest ${b.digest}`;

export function registerBundle(program: Command): void {
  const bundle = program
    .command('bundle')
    .description('signed policy bundles: create keys, export, verify and import (also from removable media)');

  bundle
    .command('keygen')
    .description('create an Ed25519 signing key pair: NAME.key (mode 0600, keep it secret) and NAME.pub (give to hosts)')
    .requiredOption('--out <dir>', 'directory for the key files (created mode 0700 if missing)')
    .option('--name <name>', 'file name stem', 'execguard-signing')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExisting key files are never overwritten.\nExit codes: 0 created; 2 cannot create.')
    .action((o: { out: string; name: string; json?: boolean }) => {
      const r = keyed(() => writeSigningKey(o.out, o.name));
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`key ${r.keyId}\n  private: ${r.privateKeyPath} (mode 0600)\n  public:  ${r.publicKeyPath}\n`);
    });

  bundle
    .command('export')
    .description('sign a policy into a bundle file')
    .requiredOption('--policy <file>', 'policy file (YAML or JSON); it must validate')
    .requiredOption('--key <file>', 'private signing key (PEM or raw; must not be readable by group or others)')
    .requiredOption('--sequence <n>', 'bundle sequence: higher than every bundle published before')
    .option('--policy-version <n>', 'policy version carried (default: the policy metadata.version)')
    .option(
      '--scope <selector>',
      'hosts it is for: host:ID, role:ROLE, label:KEY=VALUE (repeat; all must match; default every host)',
      collect,
    )
    .option('--not-before <time>', 'valid from (ISO 8601; default now)')
    .option('--expires <time>', 'valid until (ISO 8601; default not-before + 365 days)')
    .requiredOption('--out <file>', 'bundle file to write')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 written; 2 invalid policy, key or usage.')
    .action(
      (o: {
        policy: string;
        key: string;
        sequence: string;
        policyVersion?: string;
        scope?: string[];
        notBefore?: string;
        expires?: string;
        out: string;
        json?: boolean;
      }) => {
        const policy = loadPolicy(o.policy);
        const key = loadPrivateKey(o.key);
        const notBefore = o.notBefore ? parseTime(o.notBefore, '--not-before') : Date.now();
        const expiresAt = o.expires ? parseTime(o.expires, '--expires') : notBefore + 365 * DAY;
        const signed = keyed(() =>
          signBundle(
            {
              policy,
              sequence: positiveInt(o.sequence, '--sequence'),
              ...(o.policyVersion ? { version: positiveInt(o.policyVersion, '--policy-version') } : {}),
              scope: scopeFrom(o.scope ?? []),
              notBefore: new Date(notBefore),
              expiresAt: new Date(expiresAt),
            },
            key,
          ),
        );
        try {
          writeFileAtomic(o.out, signed.text);
        } catch (e) {
          throw new UserError(`${o.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        const p = signed.payload;
        if (o.json) {
          const { policy: _policy, ...rest } = p;
          process.stdout.write(`${JSON.stringify({ file: o.out, digest: signed.digest, ...rest })}\n`);
        } else process.stdout.write(`${o.out}: ${summary({ ...p, digest: signed.digest })}\n`);
      },
    );

  bundle
    .command('verify')
    .description('check a bundle: signature by a trusted key, validity period, sequence, scope and policy')
    .argument('<file>', 'bundle file, or - for stdin')
    .requiredOption('--trusted-key <file>', 'public key to trust (repeat for several)', collect)
    .option('--min-sequence <n>', 'refuse a lower sequence (rollback)')
    .option('--now <time>', 'time of the check (default now)')
    .option('--host <id>', 'refuse a bundle whose scope does not include this host')
    .option('--role <role>', "the host's role (with --host)")
    .option('--label <k=v>', "the host's labels (with --host; repeat)", collect)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid; 1 refused (unsigned, bad signature, unknown key, expired, not yet valid, rolled back,\nout of scope, invalid policy); 2 unreadable or malformed bundle, bad key file or usage.',
    )
    .action((file: string, o: HostOptions & { trustedKey: string[]; minSequence?: string; now?: string; json?: boolean }) => {
      const trustedKeys = loadPublicKeys(o.trustedKey);
      const host = hostFrom(o);
      const data = readBytes(file);
      try {
        const b = verifyBundle(data, {
          trustedKeys,
          ...(o.now ? { now: parseTime(o.now, '--now') } : {}),
          ...(o.minSequence ? { minSequence: positiveInt(o.minSequence, '--min-sequence') } : {}),
          ...(host ? { host } : {}),
        });
        if (o.json) {
          const { policy: _policy, ...rest } = b;
          process.stdout.write(`${JSON.stringify({ file, valid: true, ...rest, policyName: b.policy.metadata.name })}\n`);
        } else process.stdout.write(`${file}: valid — ${summary(b)}\n`);
        process.exitCode = EXIT.OK;
      } catch (e) {
        refuse(file, e, o.json);
      }
    });

  bundle
    .command('import')
    .description('verify a bundle against the last accepted sequence and install its policy')
    .argument('<file>', 'bundle file (e.g. from removable media), or - for stdin')
    .requiredOption('--trusted-key <file>', 'public key to trust (repeat for several)', collect)
    .option(
      '--state <dir>',
      `state directory: accepted sequence, bundle and installed policy (default ${DEFAULT_STATE_DIR}, or $EXECGUARD_STATE_DIR)`,
    )
    .option('--policy-out <file>', 'install the policy here instead of <state>/policy.json')
    .option('--now <time>', 'time of the check (default now)')
    .option('--host <id>', 'refuse a bundle whose scope does not include this host')
    .option('--role <role>', "the host's role (with --host)")
    .option('--label <k=v>', "the host's labels (with --host; repeat)", collect)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nA bundle with a lower sequence than the accepted one, or the same sequence with other content, is refused.\nExit codes: 0 installed (or already installed); 1 refused; 2 unreadable input, bad key, state or usage.',
    )
    .action(
      (
        file: string,
        o: HostOptions & { trustedKey: string[]; state?: string; policyOut?: string; now?: string; json?: boolean },
      ) => {
        const trustedKeys = loadPublicKeys(o.trustedKey);
        const host = hostFrom(o);
        const stateDir = o.state ?? DEFAULT_STATE_DIR;
        const data = readBytes(file);
        try {
          const r = importBundle(data, {
            stateDir,
            trustedKeys,
            ...(o.now ? { now: parseTime(o.now, '--now') } : {}),
            ...(host ? { host } : {}),
            ...(o.policyOut ? { policyFile: o.policyOut } : {}),
          });
          if (o.json) {
            process.stdout.write(
              `${JSON.stringify({ file, installed: true, changed: r.changed, sequence: r.bundle.sequence, previousSequence: r.previous?.sequence ?? null, digest: r.bundle.digest, keyId: r.bundle.keyId, policyFile: r.policyFile, stateFile: r.stateFile })}\n`,
            );
          } else {
            const from = r.changed && r.previous ? ` (was sequence ${r.previous.sequence})` : '';
            process.stdout.write(
              `${file}: ${r.changed ? 'installed' : 'already installed'} — ${summary(r.bundle)}${from}\n  policy: ${r.policyFile}\n`,
            );
          }
          process.exitCode = EXIT.OK;
        } catch (e) {
          if (isTrustError(e) && e.code === 'E_ROLLED_BACK') {
            const s = keyed(() => readBundleState(stateDir));
            if (s && !o.json) process.stderr.write(`${file}: accepted so far: sequence ${s.sequence} (${s.digest})\n`);
          }
          if (!isTrustError(e) && (e as NodeJS.ErrnoException).code) {
            throw new UserError(`${stateDir}: cannot write state (${(e as NodeJS.ErrnoException).code})`);
          }
          refuse(file, e, o.json);
        }
      },
    );
}
