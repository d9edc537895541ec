import type { Identity, Selector } from './identity.js';
import type { ValidationIssue } from './issues.js';
import type { Match, Policy } from './policy.js';

// Checks JSON Schema cannot express: weak identities, CA-level signers, four-eyes approval,
// time order, references between objects, regexes that compile.

const CA_SUBJECT = /(^|[\s,=])(root|(p)?ca|certification authority|certificate authority|issuing)([\s,]|$)/i;
const WILDCARD = /[*?]/;
// No environment-variable expansion: a policy means the same on every host.
const ABSOLUTE_PATH = /^(\/|[a-zA-Z]:[\\/]|\\\\)/;

type Push = (path: string, code: ValidationIssue['code'], message: string) => void;

function checkIdentity(id: Identity, path: string, push: Push): void {
  if (id.signer) {
    const s = id.signer.subject.trim();
    if (s === '' || WILDCARD.test(s)) {
      push(
        `${path}/signer/subject`,
        'E_SIGNER_TOO_BROAD',
        'signer subject must be an exact publisher subject, without wildcards',
      );
    } else if (CA_SUBJECT.test(s.split(/,\s*(?=[A-Z]+=)/)[0] ?? s)) {
      push(
        `${path}/signer/subject`,
        'E_SIGNER_TOO_BROAD',
        `signer subject "${s}" names a certificate authority; name the publisher instead`,
      );
    }
    if (WILDCARD.test(id.signer.product)) {
      push(`${path}/signer/product`, 'E_SIGNER_TOO_BROAD', 'signer product must be exact, without wildcards');
    }
  }
  id.path?.forEach((p, i) => {
    if (!ABSOLUTE_PATH.test(p)) push(`${path}/path/${i}`, 'E_PATH_NOT_ABSOLUTE', `path "${p}" must be absolute`);
    if (/^(\/\*\*|[a-zA-Z]:[\\/]\*\*)$/.test(p)) push(`${path}/path/${i}`, 'E_WEAK_IDENTITY', `path "${p}" matches every file`);
  });
}

/** An identity strong enough to allow something: not a bare file name. */
function checkAllowIdentity(id: Identity, path: string, push: Push): void {
  if (id.name && !id.signer) {
    push(
      `${path}/name`,
      'E_WEAK_IDENTITY',
      'a file name identifies nothing on its own; in an allow it needs a signer (OriginalFileName)',
    );
  }
}

function checkRegexes(m: Match, path: string, push: Push): void {
  for (const key of ['any', 'all', 'none'] as const) {
    m.args?.[key]?.forEach((re, i) => {
      try {
        new RegExp(re, m.args?.caseSensitive ? 'u' : 'iu');
      } catch (e) {
        push(`${path}/args/${key}/${i}`, 'E_BAD_REGEX', `invalid regular expression: ${(e as Error).message}`);
      }
    });
  }
}

function checkMatch(m: Match, path: string, allow: boolean, push: Push): void {
  for (const key of ['program', 'script', 'parent', 'ancestor'] as const) {
    const id = m[key];
    if (id) checkIdentity(id, `${path}/${key}`, push);
  }
  checkRegexes(m, path, push);
  if (!allow) return;
  if (!m.program && !m.script) {
    push(path, 'E_WEAK_IDENTITY', 'an allow must identify what it allows: give program or script');
  }
  if (m.program) checkAllowIdentity(m.program, `${path}/program`, push);
  if (m.script) checkAllowIdentity(m.script, `${path}/script`, push);
  if ((m.inlineCode || m.stdinScript) && !m.program) {
    push(path, 'E_WEAK_IDENTITY', 'allowing inline or stdin code needs the interpreter named in program');
  }
}

const emptySelector = (s: Selector) => !s.hosts && !s.roles && (!s.labels || Object.keys(s.labels).length === 0);
const sameUser = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function checkPolicySemantics(p: Policy): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const push: Push = (path, code, message) => issues.push({ path, code, message });
  const seen = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const prior = seen.get(id);
    if (prior) push(`${path}/id`, 'E_DUPLICATE_ID', `id "${id}" is already used at ${prior}`);
    else seen.set(id, path);
  };

  p.scopes?.forEach((s, i) => {
    claim(s.id, `/scopes/${i}`);
  });
  p.neverBlock?.forEach((n, i) => {
    claim(n.id, `/neverBlock/${i}`);
    checkIdentity(n.program, `/neverBlock/${i}/program`, push);
    checkAllowIdentity(n.program, `/neverBlock/${i}/program`, push);
  });
  const denyRules = new Set<string>();
  p.rules.forEach((r, i) => {
    claim(r.id, `/rules/${i}`);
    if (r.action === 'deny') denyRules.add(r.id);
    checkMatch(r.match, `/rules/${i}/match`, r.action === 'allow', push);
  });
  p.exceptions?.forEach((x, i) => {
    const at = `/exceptions/${i}`;
    claim(x.id, at);
    if (sameUser(x.requester, x.approver)) {
      push(`${at}/approver`, 'E_SAME_APPROVER', `approver "${x.approver}" is the requester; a different person must approve`);
    }
    if (emptySelector(x.scope)) push(`${at}/scope`, 'E_EMPTY_SCOPE', 'an exception must be scoped to hosts, roles or labels');
    if (!x.match.program) push(`${at}/match`, 'E_WEAK_IDENTITY', 'an exception must name the program it lets run');
    checkMatch(x.match, `${at}/match`, true, push);
    if (x.notBefore && Date.parse(x.notBefore) >= Date.parse(x.expires)) {
      push(`${at}/expires`, 'E_TIME_ORDER', 'expires must be after notBefore');
    }
  });
  p.maintenanceWindows?.forEach((w, i) => {
    const at = `/maintenanceWindows/${i}`;
    claim(w.id, at);
    if (Date.parse(w.start) >= Date.parse(w.end)) push(`${at}/end`, 'E_TIME_ORDER', 'end must be after start');
    if (emptySelector(w.scope))
      push(`${at}/scope`, 'E_EMPTY_SCOPE', 'a maintenance window must be scoped to hosts, roles or labels');
    w.relax.rules?.forEach((id, j) => {
      if (!denyRules.has(id)) push(`${at}/relax/rules/${j}`, 'E_UNKNOWN_REFERENCE', `"${id}" is not a deny rule of this policy`);
    });
  });
  return issues;
}
