import { createHash } from 'node:crypto';
import { CONFIG_SCHEMA } from './schema';

/** Identifies the schema a pre-compiled validator was generated from. */
export function schemaHash(): string {
  return createHash('sha256').update(JSON.stringify(CONFIG_SCHEMA)).digest('hex').slice(0, 16);
}
