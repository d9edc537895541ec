import { createRequire } from 'node:module';
import { Type } from '@sinclair/typebox';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { ExecEvent } from './event.js';
import { ValidationError, type ValidationIssue } from './issues.js';
import { HostContext, Policy } from './policy.js';
import { checkPolicySemantics } from './semantics.js';

// Loaded and compiled on first use: Ajv and the compiled validators cost about half a second,
// and a CLI command that never validates should not pay for them at start-up. (Ajv is CommonJS,
// so require() loads it synchronously where it is first needed.)
const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;
function makeAjv(): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const addFormats = require('ajv-formats') as (a: Ajv) => Ajv;
  return addFormats(new AjvClass({ allErrors: true, strict: false }));
}
const lazy = (schema: object) => {
  let fn: ValidateFunction | undefined;
  return () => {
    ajv ??= makeAjv();
    fn ??= ajv.compile(schema);
    return fn;
  };
};
const policyValidator = lazy(Policy);
const eventValidator = lazy(ExecEvent);
const hostsValidator = lazy(Type.Array(HostContext));

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `missing required key "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'minProperties':
      return 'must not be empty';
    default:
      return e.message ?? e.keyword;
  }
}

function schemaIssues(validator: ValidateFunction, doc: unknown): ValidationIssue[] {
  if (validator(doc)) return [];
  const issues = (validator.errors ?? [])
    // anyOf summaries repeat what their branches already said.
    .filter((e) => e.keyword !== 'anyOf')
    .map((e) => {
      const path =
        e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
          : e.instancePath;
      return { code: 'E_SCHEMA' as const, path, message: describe(e) };
    });
  const unique = new Map(issues.map((i) => [`${i.path}\u0000${i.message}`, i]));
  return [...unique.values()];
}

/** Validate an already-parsed policy object. Returns the issues; empty means valid. */
export function validatePolicy(doc: unknown): ValidationIssue[] {
  const issues = schemaIssues(policyValidator(), doc);
  // Semantic checks need a structurally valid document to walk safely.
  return issues.length > 0 ? issues : checkPolicySemantics(doc as Policy);
}

export function validateEvent(doc: unknown): ValidationIssue[] {
  return schemaIssues(eventValidator(), doc).map((i) => ({ ...i, code: 'E_EVENT' as const }));
}

export function validateHosts(doc: unknown): ValidationIssue[] {
  return schemaIssues(hostsValidator(), doc);
}

export function assertPolicy(doc: unknown): Policy {
  const issues = validatePolicy(doc);
  if (issues.length > 0) throw new ValidationError(issues, 'policy');
  return doc as Policy;
}

/** Line and column (1-based) of the node at a JSON pointer, for tools that point into the file. */
export type Locate = (pointer: string) => { line: number; column: number } | undefined;

export type ParseResult<T> = { ok: true; value: T; issues: []; locate: Locate } | { ok: false; issues: ValidationIssue[] };

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Parse a policy from YAML or JSON text (JSON is YAML), validate it, and give every issue a
 * file:line:column. Nothing is evaluated from the text beyond plain data (no custom tags).
 */
export function parsePolicyText(text: string, file?: string): ParseResult<Policy> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (issue: Omit<ValidationIssue, 'file' | 'line' | 'column'>, offset: number | undefined): ValidationIssue => {
    const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
    return { ...issue, ...(file ? { file } : {}), ...(pos ? { line: pos.line, column: pos.col } : {}) };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) =>
        locate({ code: 'E_PARSE', path: '', message: e.message.split('\n')[0] ?? e.message }, e.pos[0]),
      ),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, issues: [locate({ code: 'E_PARSE', path: '', message: (e as Error).message }, 0)] };
  }
  // Walk up the pointer until a node exists (a missing key is reported at its parent).
  const offsetOf = (pointer: string): number | undefined => {
    const segments = pointer.split('/').slice(1).map(unescapePointer);
    while (segments.length > 0) {
      const node = doc.getIn(
        segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
        true,
      );
      if (isNode(node) && node.range) return node.range[0];
      segments.pop();
    }
    return doc.contents?.range?.[0];
  };
  const issues = validatePolicy(value);
  if (issues.length === 0) {
    const locateFn: Locate = (pointer) => {
      const offset = offsetOf(pointer);
      if (offset === undefined) return undefined;
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    };
    return { ok: true, value: value as Policy, issues: [], locate: locateFn };
  }
  return { ok: false, issues: issues.map((issue) => locate(issue, offsetOf(issue.path))) };
}
