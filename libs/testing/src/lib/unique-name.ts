import { randomBytes } from 'node:crypto';

/**
 * A name no other test run will use, safe as a Kafka topic, consumer group or database name
 * (lower case letters, digits and underscores). Each test uses its own, so tests cannot see each other.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
