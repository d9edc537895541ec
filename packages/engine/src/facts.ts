import type { ExecEvent, InterpreterSpec, Platform } from '@execguard/schema';
import { argumentString, type ContentKind, parseInterpreterArgs, resolveScriptPath } from './args.js';
import type { CatalogueIndex, NameInfo } from './catalogue.js';
import type { EvalInput } from './conditions.js';
import { ancestorSubjects, fillSubject, parentSubject, type Subject, SubjectRecord, subjectOf } from './subject.js';

/** Everything the rules ask about an execution, derived once per event (spec §3). */
export interface Facts {
  readonly platform: Platform;
  readonly program: Subject;
  readonly argString: string;
  readonly interpreter: InterpreterSpec | undefined;
  readonly content: ContentKind;
  /** The argument that made the content inline or stdin, for explanations. */
  readonly contentFlag: string | undefined;
  readonly script: Subject | undefined;
  readonly loader: boolean;
  readonly memfd: boolean;
  readonly proxy:
    | { readonly binary: string; readonly patterns: readonly string[]; readonly techniques: readonly string[] }
    | undefined;
  readonly masquerade: string | undefined;
  readonly userWritable: boolean;
  readonly techniques: readonly string[];
}

export function platformOf(event: ExecEvent): Platform {
  const family = event.host?.os?.family;
  if (family) return family === 'windows' || family.toLowerCase() === 'windows' ? 'windows' : 'linux';
  const exe = event.process.executable;
  // A drive letter ("C:\\", "c:/") or a UNC path ("\\\\server"), without a regex on the hot path.
  if (exe === undefined || exe.length < 3) return 'linux';
  const c0 = exe.charCodeAt(0);
  if (c0 === 92 && exe.charCodeAt(1) === 92) return 'windows';
  return exe.charCodeAt(1) === 58 && (exe.charCodeAt(2) === 92 || exe.charCodeAt(2) === 47) && /[a-zA-Z]/.test(exe[0] as string)
    ? 'windows'
    : 'linux';
}

/** Adds the proxy patterns of one name that match the arguments (both names count, spec §3). */
function proxyUse(info: NameInfo | undefined, args: string, found: Facts['proxy']): Facts['proxy'] {
  const px = info?.proxy;
  if (!px) return found;
  let out = found;
  for (const p of px.patterns) {
    if (!p.re.test(args)) continue;
    out ??= { binary: px.spec.name, patterns: [], techniques: [] };
    (out.patterns as string[]).push(p.id);
    (out.techniques as string[]).push(p.technique);
  }
  return out;
}

function masqueradeOf(p: Subject, misplaced: string | undefined): string | undefined {
  if (p.originalName && p.basename && p.originalName !== p.basename) {
    // The original name is the PE OriginalFileName, or on Linux the host file this is a copy of.
    return `renamed: file name "${p.basename}" but original name "${p.originalName}"`;
  }
  return misplaced;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Facts plus what conditions need on demand: the argument string, the parent and the ancestors are
 * built only when something asks for them. Filled per event by fillFacts; decide() reuses one
 * record from call to call (takeFacts/giveBackFacts), so the hot path allocates no facts at all.
 */
export class FactsRecord implements Facts, EvalInput {
  event: ExecEvent = NO_EVENT;
  args: string | undefined = undefined;
  platform: Platform = 'linux';
  /** The program's subject belongs to the record and is refilled with it. */
  readonly program = new SubjectRecord();
  interpreter: InterpreterSpec | undefined = undefined;
  content: ContentKind = 'none';
  contentFlag: string | undefined = undefined;
  script: Subject | undefined = undefined;
  loader = false;
  memfd = false;
  proxy: Facts['proxy'] = undefined;
  masquerade: string | undefined = undefined;
  userWritable = false;
  techniques: readonly string[] = NONE;
  parentCache: Subject | null | undefined = undefined;
  ancestorsCache: Subject[] | undefined = undefined;
  get facts(): Facts {
    return this;
  }
  get argString(): string {
    this.args ??= argumentString(this.event.process.args, this.event.process.command_line);
    return this.args;
  }
  get parent(): Subject | undefined {
    if (this.parentCache === undefined) this.parentCache = parentSubject(this.event) ?? null;
    return this.parentCache ?? undefined;
  }
  get ancestors(): Subject[] {
    if (!this.ancestorsCache) {
      const p = this.parent;
      this.ancestorsCache = [...(p ? [p] : []), ...ancestorSubjects(this.event)];
    }
    return this.ancestorsCache;
  }
}

const NO_EVENT: ExecEvent = Object.freeze({ process: Object.freeze({}) }) as ExecEvent;

/**
 * The one spare record. Semantically invisible: a record is refilled completely before it is read,
 * and only handed out when no call is using it (a call that re-enters decide(), say from a getter
 * on the event, or one that threw, simply gets a fresh record).
 */
let spare: FactsRecord | undefined;

/** Facts of an event in the spare record (or a new one when it is in use); give it back after use. */
export function takeFacts(cat: CatalogueIndex, event: ExecEvent): FactsRecord {
  const r = spare ?? new FactsRecord();
  spare = undefined;
  return fillFacts(r, cat, event);
}

/** Ends a use of takeFacts' record: drops its references to the event, keeps it for the next call. */
export function giveBackFacts(r: FactsRecord): void {
  r.event = NO_EVENT;
  r.args = undefined;
  r.script = undefined;
  r.proxy = undefined;
  r.parentCache = undefined;
  r.ancestorsCache = undefined;
  r.techniques = NONE;
  spare = r;
}

/** The list with `t` added once; the list is only made when the first technique turns up. */
function addTechnique(list: string[] | undefined, t: string): string[] {
  if (list === undefined) return [t];
  if (!list.includes(t)) list.push(t);
  return list;
}

/** Facts of one event in a new record. */
export function deriveFacts(cat: CatalogueIndex, event: ExecEvent): Facts & EvalInput {
  return fillFacts(new FactsRecord(), cat, event);
}

/** Sets every field of `r` from the event (spec §3). */
function fillFacts(r: FactsRecord, cat: CatalogueIndex, event: ExecEvent): FactsRecord {
  const platform = platformOf(event);
  const exePath = event.process.executable;
  const pf = exePath ? cat.pathFacts(platform, exePath) : undefined;
  const program = fillSubject(r.program, event.process, event.execguard?.process, undefined, pf);
  const base = program.basename;
  const original = program.originalName !== base ? program.originalName : undefined;
  const eg = event.execguard;
  const proc = event.process;
  let techniques: string[] | undefined;

  const exe = proc.executable ?? '';
  const baseInfo = pf ? pf.info : base !== undefined ? cat.classify(platform, base) : undefined;
  const originalInfo = original !== undefined ? cat.classify(platform, original) : undefined;
  const loader = eg?.loader_invocation === true || baseInfo?.loader === true || originalInfo?.loader === true;
  const memfd = eg?.memfd === true || exe.startsWith('/memfd:') || exe.startsWith('memfd:');
  const interpreter = baseInfo?.interpreter ?? originalInfo?.interpreter;
  // The argument string is built only when something asks for it (a proxy here, an args rule later).
  const args = baseInfo?.proxy || originalInfo?.proxy ? argumentString(proc.args, proc.command_line) : undefined;

  let content: ContentKind = 'none';
  let contentFlag: string | undefined;
  let script: Subject | undefined;
  if (interpreter) {
    const parsed = parseInterpreterArgs(interpreter, proc.args ?? [], platform);
    const stdin = eg?.stdin;
    if (parsed.inline || eg?.inline_code === true) {
      content = 'inline';
      contentFlag = parsed.flag ?? 'execguard.inline_code';
    } else if (event.file?.path || parsed.script) {
      content = 'script';
      script = event.file?.path
        ? subjectOf(event.file, eg?.script)
        : subjectOf({}, eg?.script, resolveScriptPath(parsed.script as string, proc.working_directory));
    } else if (stdin === 'pipe' || stdin === 'file' || stdin === 'socket' || (parsed.stdinFlag && stdin !== 'tty')) {
      content = 'stdin';
      contentFlag = parsed.stdinFlag ? parsed.flag : `stdin=${stdin}`;
    }
    if (content !== 'none') for (const t of interpreter.techniques) techniques = addTechnique(techniques, t);
  }

  // Proxy use: both names count, so a renamed rundll32 is still rundll32 (spec §3).
  const proxy = args === undefined ? undefined : proxyUse(originalInfo, args, proxyUse(baseInfo, args, undefined));
  if (proxy) for (const t of proxy.techniques) techniques = addTechnique(techniques, t);

  const masquerade = masqueradeOf(program, pf?.misplaced);
  const userWritable = pf?.userWritable === true;
  if (loader) techniques = addTechnique(techniques, 'T0894');
  if (memfd) techniques = addTechnique(techniques, 'T0834');
  if (masquerade) techniques = addTechnique(techniques, 'T0849');
  if (userWritable) techniques = addTechnique(techniques, 'T0863');
  if (techniques !== undefined && techniques.length > 1) techniques.sort();

  r.event = event;
  r.args = args;
  r.platform = platform;
  r.interpreter = interpreter;
  r.content = content;
  r.contentFlag = contentFlag;
  r.script = script;
  r.loader = loader;
  r.memfd = memfd;
  r.proxy = proxy;
  r.masquerade = masquerade;
  r.userWritable = userWritable;
  r.techniques = techniques ?? NONE;
  r.parentCache = undefined;
  r.ancestorsCache = undefined;
  return r;
}
