import { Policy } from './policy.js';

/** JSON Schema (draft 2020-12 compatible) for policy files, for editors to validate and complete. */
export function policyJsonSchema(): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(Policy)) };
}
