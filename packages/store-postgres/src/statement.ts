import { createHash } from 'node:crypto';

/**
 * A named statement: node-postgres parses it once per connection and reuses the plan. The name
 * comes from the text (schema and table names included), so stores on other schemas or prefixes
 * sharing a pool never give one name to two texts — PostgreSQL would refuse the second, or run
 * the first one's text.
 */
export function statement(text: string): { name: string; text: string } {
  return { name: `keyward_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}
