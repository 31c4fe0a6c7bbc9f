import { uniqueName } from './unique-name';

describe('uniqueName', () => {
  it('keeps the prefix readable and safe for topics and databases', () => {
    expect(uniqueName('Messaging Test!')).toMatch(/^messaging_test_[a-z0-9]+_[0-9a-f]{8}$/);
  });

  it('never repeats', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('t')));
    expect(names.size).toBe(1000);
  });
});
