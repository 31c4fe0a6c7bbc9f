import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRetryPolicyError } from '../errors/invalid-retry-policy-error';
import { RETRY_POLICY_DEFAULTS } from '../policy/retry-policy.defaults';
import { parseRetryPolicyDocument, resolveRetrySettings } from './retry-policy-document';

const parse = (json: unknown) => parseRetryPolicyDocument(JSON.stringify(json), 'test.json');
const refusal = (json: unknown) => {
  try {
    parse(json);
  } catch (error) {
    if (error instanceof InvalidRetryPolicyError) return error.message;
    throw error;
  }
  throw new Error('the document was accepted');
};

describe('parseRetryPolicyDocument', () => {
  const root = join(__dirname, '..', '..', '..', '..', '..');

  it('reads the documented example file', () => {
    const example = join(root, 'docs', 'totvsAppConfig_v2.example.json');
    const document = parseRetryPolicyDocument(readFileSync(example, 'utf8'), example);
    expect(document.retry).toMatchObject({ maxAttempts: expect.any(Number), strategy: expect.any(String) });
    expect(Object.keys(document.commands ?? {})).not.toHaveLength(0);
  });

  it('reads the file the Kubernetes manifests mount, which spells out the built-in policy', () => {
    const mounted = join(root, 'docker', 'k8s', 'base', 'totvsAppConfig_v2.json');
    const document = parseRetryPolicyDocument(readFileSync(mounted, 'utf8'), mounted);
    expect(document.retry).toEqual(RETRY_POLICY_DEFAULTS);
  });

  it('accepts an empty document: every field takes its built-in default', () => {
    expect(resolveRetrySettings(parse({}).retry)).toEqual(RETRY_POLICY_DEFAULTS);
  });

  it('ignores sections of the app configuration it does not know', () => {
    expect(parse({ smartLink: { tenant: 'x' }, retry: { maxAttempts: 3 } }).retry).toEqual({
      maxAttempts: 3,
    });
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseRetryPolicyDocument('{"retry":', 'cfg.json')).toThrow(
      'The retry policy from cfg.json is refused: it is not JSON',
    );
  });

  it('refuses a misspelt retry field instead of silently using a default', () => {
    expect(refusal({ retry: { maxAtempts: 3 } })).toMatch(/retry: Unrecognized key: "maxAtempts"/);
    expect(refusal({ commands: { A: { initialDelay: 3 } } })).toMatch(/commands\.A/);
  });

  it('names the field of a value out of bounds', () => {
    expect(refusal({ retry: { maxAttempts: 0 } })).toMatch(/retry\.maxAttempts/);
    expect(refusal({ retry: { strategy: 'fibonacci' } })).toMatch(/retry\.strategy/);
    expect(refusal({ retry: { jitter: 1.5 } })).toMatch(/retry\.jitter/);
    expect(refusal({ retry: { initialDelayMs: 1.5 } })).toMatch(/retry\.initialDelayMs/);
    expect(refusal({ retry: { multiplier: 0.5 } })).toMatch(/retry\.multiplier/);
    expect(refusal({ retry: 5 })).toMatch(/retry/);
  });

  it('refuses a cap below the first delay, for the policy and for each command as merged', () => {
    expect(refusal({ retry: { initialDelayMs: 10_000, maxDelayMs: 1_000 } })).toMatch(
      /retry\.maxDelayMs: maxDelayMs \(1000\) is below initialDelayMs \(10000\)/,
    );
    expect(
      refusal({ retry: { maxDelayMs: 60_000 }, commands: { Slow: { initialDelayMs: 120_000 } } }),
    ).toMatch(/commands\.Slow\.maxDelayMs/);
  });

  it('refuses a command key that could not be a command name', () => {
    expect(refusal({ commands: { 'a b': { maxAttempts: 2 } } })).toMatch(/commands/);
  });
});
