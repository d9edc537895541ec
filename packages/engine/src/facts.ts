import type { ExecEvent, InterpreterSpec, Platform } from '@execguard/schema';
import { argumentString, type ContentKind, parseInterpreterArgs, resolveScriptPath } from './args.js';
import type { CatalogueIndex } from './catalogue.js';
import { dirnameOf, programSubject, type Subject, subjectOf } from './subject.js';

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
  readonly proxy: { readonly binary: string; readonly patterns: readonly string[]; readonly techniques: readonly string[] } | undefined;
  readonly masquerade: string | undefined;
  readonly userWritable: boolean;
  readonly techniques: readonly string[];
}

const WINDOWS_PATH = /^([a-zA-Z]:[\\/]|\\\\)/;

export function platformOf(event: ExecEvent): Platform {
  const family = event.host?.os?.family?.toLowerCase();
  if (family) return family === 'windows' ? 'windows' : 'linux';
  return WINDOWS_PATH.test(event.process.executable ?? '') ? 'windows' : 'linux';
}

function namesOf(s: Subject): string[] {
  const out: string[] = [];
  if (s.basename) out.push(s.basename);
  if (s.originalName && s.originalName !== s.basename) out.push(s.originalName);
  return out;
}

function masqueradeOf(cat: CatalogueIndex, platform: Platform, p: Subject): string | undefined {
  if (p.originalName && p.basename && p.originalName !== p.basename) {
    return `renamed: file name "${p.basename}" but OriginalFileName "${p.originalName}"`;
  }
  if (!p.basename || !p.path) return undefined;
  const sys = cat.system(platform, p.basename);
  if (!sys) return undefined;
  const dir = dirnameOf(p.path).toLowerCase();
  return sys.directories.some((d) => d.toLowerCase() === dir) ? undefined : `system name "${p.basename}" outside ${sys.directories.join(', ')}`;
}

export function deriveFacts(cat: CatalogueIndex, event: ExecEvent): Facts {
  const platform = platformOf(event);
  const program = programSubject(event);
  const names = namesOf(program);
  const eg = event.execguard;
  const proc = event.process;
  const argString = argumentString(proc.args, proc.command_line);
  const techniques = new Set<string>();

  const loader = eg?.loader_invocation === true || names.some((n) => cat.isLoader(n));
  const exe = proc.executable ?? '';
  const memfd = eg?.memfd === true || exe.startsWith('/memfd:') || exe.startsWith('memfd:');

  let interpreter: InterpreterSpec | undefined;
  for (const n of names) {
    interpreter = cat.interpreter(platform, n);
    if (interpreter) break;
  }

  let content: ContentKind = 'none';
  let contentFlag: string | undefined;
  let script: Subject | undefined;
  if (interpreter) {
    const parsed = parseInterpreterArgs(interpreter, proc.args ?? []);
    const stdin = eg?.stdin;
    if (parsed.inline || eg?.inline_code === true) {
      content = 'inline';
      contentFlag = parsed.flag ?? 'execguard.inline_code';
    } else if (event.file?.path || parsed.script) {
      content = 'script';
      script = event.file?.path
        ? subjectOf(event.file, eg?.script)
        : subjectOf({}, eg?.script, resolveScriptPath(parsed.script as string, proc.working_directory));
    } else if (stdin === 'pipe' || stdin === 'file' || (parsed.stdinFlag && stdin !== 'tty')) {
      content = 'stdin';
      contentFlag = parsed.stdinFlag ? parsed.flag : `stdin=${stdin}`;
    }
    if (content !== 'none') for (const t of interpreter.techniques) techniques.add(t);
  }

  let proxy: Facts['proxy'];
  for (const n of names) {
    const px = cat.proxy(platform, n);
    if (!px) continue;
    const hits = px.patterns.filter((p) => p.re.test(argString));
    if (hits.length > 0) {
      proxy = { binary: px.spec.name, patterns: hits.map((h) => h.id), techniques: hits.map((h) => h.technique) };
      for (const h of hits) techniques.add(h.technique);
      break;
    }
  }

  const masquerade = masqueradeOf(cat, platform, program);
  const userWritable = program.path !== undefined && cat.userWritable(platform, program.path.toLowerCase());
  if (loader) techniques.add('T0894');
  if (memfd) techniques.add('T0834');
  if (masquerade) techniques.add('T0849');
  if (userWritable) techniques.add('T0863');

  return {
    platform,
    program,
    argString,
    interpreter,
    content,
    contentFlag,
    script,
    loader,
    memfd,
    proxy,
    masquerade,
    userWritable,
    techniques: [...techniques].sort(),
  };
}
