import type { Finding, Severity } from '@execguard/schema';

/** Where a JSON pointer sits in the policy file, when the caller can tell (see parsePolicyText). */
export type Locate = (pointer: string) => { line: number; column: number } | undefined;

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** SARIF 2.1.0 log of lint findings, so code-scanning tools and editors can show them in place. */
export function toSarif(findings: readonly Finding[], opts: { file: string; version: string; locate?: Locate }): object {
  const rules = new Map<string, Finding>();
  for (const f of findings) if (!rules.has(f.id)) rules.set(f.id, f);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ExecGuard policy lint',
            version: opts.version,
            informationUri: 'https://attack.mitre.org/mitigations/M0938/',
            rules: [...rules.values()].map((f) => ({
              id: f.id,
              name: f.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
              shortDescription: { text: f.title },
              help: { text: f.fix },
              defaultConfiguration: { level: LEVEL[f.severity] },
              properties: { tags: [...f.techniques] },
            })),
          },
        },
        results: findings.map((f) => {
          const pos = f.location ? opts.locate?.(f.location.path) : undefined;
          return {
            ruleId: f.id,
            level: LEVEL[f.severity],
            message: { text: `${f.message}. Fix: ${f.fix}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: opts.file },
                  ...(pos ? { region: { startLine: pos.line, startColumn: pos.column } } : {}),
                },
                ...(f.location ? { logicalLocations: [{ fullyQualifiedName: f.location.path, kind: 'member' }] } : {}),
              },
            ],
            properties: { severity: f.severity, techniques: [...f.techniques], evidence: f.evidence },
          };
        }),
      },
    ],
  };
}
