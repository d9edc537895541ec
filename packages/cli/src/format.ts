import type { Decision, ExecEvent } from '@execguard/schema';

const LABEL: Record<Decision['effect'], string> = {
  allowed: 'ALLOW',
  denied: 'DENY (enforced)',
  'would-deny': 'WOULD-DENY (not enforced)',
};

/** One readable line per decision; an enforced deny and an audit-only would-deny never look alike. */
export function formatDecision(d: Decision, event: ExecEvent, where: string): string {
  const what = event.process.command_line ?? event.process.args?.join(' ') ?? event.process.executable ?? '(unknown program)';
  const extra = [
    d.exceptionId ? `exception=${d.exceptionId}` : '',
    d.windowId ? `window=${d.windowId}` : '',
    d.neverBlockId ? `never-block=${d.neverBlockId}` : '',
    d.techniques.length ? `techniques=${d.techniques.join(',')}` : '',
  ].filter(Boolean);
  const lines = [
    `${LABEL[d.effect]}  ${what}`,
    `  ${where}  rule=${d.ruleId} (${d.decidedBy})  mode=${d.mode}  scope=${d.scopeId}${extra.length ? `  ${extra.join('  ')}` : ''}`,
    ...d.reasons.map((r) => `  - ${r.message}`),
  ];
  if (d.trace) {
    lines.push('  trace:');
    for (const t of d.trace) lines.push(`    [${t.phase}] ${t.subject}: ${t.outcome} — ${t.detail}`);
  }
  return lines.join('\n');
}
