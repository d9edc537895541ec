/**
 * Encodes an ExecEvent as the native core's facts buffer (read by native/addon.c), so the core can
 * decide recorded or test events exactly as it decides live ones. Field for field this is what the
 * engine reads from an event (engine/src/subject.ts, facts.ts): nothing is interpreted here.
 */
import type { ExecEvent, Provenance } from '@execguard/schema';
import { BinaryWriter } from './writer.js';

interface Image {
  executable?: string | undefined;
  path?: string | undefined;
  name?: string | undefined;
  hash?: { sha256?: string | undefined } | undefined;
}

const STDIN = { tty: 1, pipe: 2, file: 3, socket: 4, null: 5, unknown: 6 } as const;
const slashes = (p: string | undefined) => p?.replace(/\\/g, '/');

function subject(w: BinaryWriter, image: Image | undefined, prov: Provenance | undefined, withPath = true): void {
  if (!image) {
    w.u8(0);
    return;
  }
  w.u8(1);
  w.opt(withPath ? slashes(image.executable ?? image.path) : undefined).opt(image.name);
  const sha = image.hash?.sha256;
  w.u8(sha !== undefined);
  if (sha !== undefined) w.str(sha);
  const pkg = prov?.package;
  w.u8(pkg !== undefined);
  if (pkg)
    w.u8(pkg.manager === 'rpm' ? 2 : 1)
      .str(pkg.name)
      .u8(pkg.verified === true);
  w.u8(prov?.path_admin_only === true).opt(prov?.content_name);
}

export function encodeFacts(event: ExecEvent, now: number): Buffer {
  const p = event.process;
  const eg = event.execguard;
  const w = new BinaryWriter();
  w.raw(Buffer.from('EGF1')).f64(now);
  subject(w, p, eg?.process);
  w.u8(p.args !== undefined);
  if (p.args) w.strs(p.args);
  w.opt(p.command_line).opt(p.working_directory);
  subject(w, event.file?.path ? event.file : undefined, eg?.script);
  subject(w, {}, eg?.script, false);
  w.u8(eg?.stdin ? STDIN[eg.stdin] : 0)
    .u8(eg?.inline_code === true)
    .u8(eg?.loader_invocation === true)
    .u8(eg?.memfd === true);
  subject(w, p.parent, eg?.parent);
  const ancestors = (eg?.ancestors ?? []).slice(0, 16);
  w.u32(ancestors.length);
  for (const a of ancestors) subject(w, a, undefined);
  w.opt(event.user?.name).opt(event.user?.id).opt(event.user?.group?.name);
  const groups = (eg?.groups ?? []).slice(0, 64);
  w.strs(groups);
  return w.done();
}
