import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type ExecEvent,
  formatIssue,
  type HostContext,
  type Policy,
  parsePolicyText,
  validateEvent,
  validateHosts,
} from '@execguard/schema';
import { parse as parseYaml } from 'yaml';
import { UserError } from './errors.js';

export function readTextFile(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read (${code ?? (e as Error).message})`);
  }
}

/** Reads and validates a policy file; every problem is reported with file:line:column. */
export function loadPolicy(file: string): Policy {
  const parsed = parsePolicyText(readTextFile(file), file);
  if (!parsed.ok) {
    throw new UserError(`invalid policy ${file}:\n${parsed.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
  return parsed.value;
}

export interface EventInput {
  readonly event: ExecEvent;
  readonly line: number;
}

export interface BadInput {
  readonly line: number;
  readonly message: string;
}

/**
 * Streams events from a file or stdin: JSON lines, one JSON object, or a JSON array of objects.
 * Malformed records are yielded as BadInput with their line, so one bad line loses nothing else.
 */
export async function* readEvents(file: string): AsyncGenerator<EventInput | BadInput> {
  const stream = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`${file}: cannot read (${e.code ?? e.message})`))),
  );
  failed.catch(() => undefined);
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const iterator = lines[Symbol.asyncIterator]();
  let lineNo = 0;
  let buffered: string[] | undefined; // a multi-line JSON document (pretty object or array)
  let startLine = 0;
  for (;;) {
    const next = await Promise.race([iterator.next(), failed]);
    if (next.done) break;
    const raw = next.value as string;
    lineNo++;
    const text = raw.trim();
    if (buffered) {
      buffered.push(raw);
      continue;
    }
    if (text === '') continue;
    if (lineNo === 1 || text.startsWith('[')) {
      // Could be a whole-document JSON value spanning lines: try the line alone first.
      try {
        yield* fromValue(JSON.parse(text), lineNo);
        continue;
      } catch {
        buffered = [raw];
        startLine = lineNo;
        continue;
      }
    }
    try {
      yield* fromValue(JSON.parse(text), lineNo);
    } catch (e) {
      yield { line: lineNo, message: `not valid JSON: ${(e as Error).message}` };
    }
  }
  if (buffered) {
    let value: unknown;
    try {
      value = JSON.parse(buffered.join('\n'));
    } catch {
      // Not one document after all: fall back to JSON lines so one bad line costs only itself.
      for (const [i, raw] of buffered.entries()) {
        if (raw.trim() === '') continue;
        try {
          yield* fromValue(JSON.parse(raw), startLine + i);
        } catch (e) {
          yield { line: startLine + i, message: `not valid JSON: ${(e as Error).message}` };
        }
      }
      return;
    }
    yield* fromValue(value, startLine);
  }
}

function* fromValue(value: unknown, line: number): Generator<EventInput | BadInput> {
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    const issues = validateEvent(item);
    if (issues.length > 0) yield { line, message: issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ') };
    else yield { line, event: item as ExecEvent };
  }
}

export function isBad(x: EventInput | BadInput): x is BadInput {
  return 'message' in x;
}

export function parseTime(value: string, what: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/\d{4}-\d{2}-\d{2}/.test(value)) throw new UserError(`${what}: "${value}" is not an ISO 8601 time`);
  return t;
}

/** A host inventory file: a YAML or JSON list of {id, name?, role?, labels?}. */
export function loadHosts(file: string): Map<string, HostContext> {
  let doc: unknown;
  try {
    doc = parseYaml(readTextFile(file));
  } catch (e) {
    throw new UserError(`${file}: not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const issues = validateHosts(doc);
  if (issues.length > 0)
    throw new UserError(`${file}: invalid host inventory:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  const hosts = new Map<string, HostContext>();
  for (const h of doc as HostContext[]) {
    hosts.set(h.id, h);
    if (h.name) hosts.set(h.name, h);
  }
  return hosts;
}
