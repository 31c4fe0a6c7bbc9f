import { z } from 'zod';
import { AudienceSchema, CommandNameSchema } from './command-name-schema';
import { MAX_AUDIENCE_LENGTH } from './audience-name';
import { MAX_COMMAND_NAME_LENGTH } from './command-name';

describe('CommandNameSchema', () => {
  it('refuses what parseCommandName refuses, with its reason', () => {
    const result = CommandNameSchema.safeParse('a/b');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('may hold only');
    expect(CommandNameSchema.safeParse('HrEmployeeUpdated').success).toBe(true);
  });

  it('states the rule as JSON Schema, for producers in other languages', () => {
    const schema = z.toJSONSchema(CommandNameSchema, { target: 'draft-7' }) as Record<string, unknown>;
    expect(schema).toMatchObject({ type: 'string', minLength: 1, maxLength: MAX_COMMAND_NAME_LENGTH });
    const pattern = new RegExp(schema['pattern'] as string);
    expect(pattern.test('Fin.Title_Paid-2')).toBe(true);
    expect(pattern.test('.hidden')).toBe(false);
    expect(pattern.test('a b')).toBe(false);
  });
});

describe('AudienceSchema', () => {
  it('states the rule as JSON Schema', () => {
    const schema = z.toJSONSchema(AudienceSchema, { target: 'draft-7' }) as Record<string, unknown>;
    expect(schema).toMatchObject({ type: 'string', minLength: 1, maxLength: MAX_AUDIENCE_LENGTH });
    expect(new RegExp(schema['pattern'] as string).test('techfin-conta-digital')).toBe(true);
    expect(new RegExp(schema['pattern'] as string).test('a/b')).toBe(false);
  });
});
