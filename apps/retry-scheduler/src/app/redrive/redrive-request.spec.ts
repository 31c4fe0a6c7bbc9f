import { MAX_REDRIVE_REQUEST_IDS, parseRedriveRequest } from './redrive-request';

const problem = (input: unknown) => {
  const parsed = parseRedriveRequest(input, 'http');
  return parsed.ok ? null : parsed.problem;
};

describe('parseRedriveRequest', () => {
  it('reads every filter, the operator and the reason', () => {
    expect(
      parseRedriveRequest(
        {
          ids: ['m1'],
          command: 'DemoInvoiceIssued',
          from: '2026-11-28T00:00:00.000Z',
          to: '2026-11-29T00:00:00Z',
          limit: 10,
          by: ' alice ',
          reason: 'segment fixed',
        },
        'cli',
      ),
    ).toEqual({
      ok: true,
      request: {
        ids: ['m1'],
        command: 'DemoInvoiceIssued',
        deadFrom: new Date('2026-11-28T00:00:00.000Z'),
        deadBefore: new Date('2026-11-29T00:00:00.000Z'),
        limit: 10,
        by: 'alice',
        reason: 'segment fixed',
        via: 'cli',
      },
    });
  });

  it('wants to know which dead messages, and who asks', () => {
    expect(problem({ by: 'alice' })).toBe('say which dead messages: ids, command, from or to');
    expect(problem({ command: 'X' })).toMatch(/^by: /);
    expect(problem({ command: 'X', by: '  ' })).toMatch(/^by: /);
  });

  it('refuses what cannot be a filter', () => {
    expect(problem({ command: 'no spaces', by: 'a' })).toMatch(/^command: /);
    expect(problem({ ids: [], by: 'a' })).toMatch(/^ids: /);
    expect(
      problem({ ids: Array.from({ length: MAX_REDRIVE_REQUEST_IDS + 1 }, (_, i) => `m${i}`), by: 'a' }),
    ).toMatch(/^ids: /);
    expect(problem({ from: 'yesterday', by: 'a' })).toMatch(/^from: /);
    expect(problem({ from: '2026-11-29T00:00:00Z', to: '2026-11-28T00:00:00Z', by: 'a' })).toBe(
      'to: from must be before to',
    );
    expect(problem({ command: 'X', by: 'a', limit: 0 })).toMatch(/^limit: /);
    expect(problem({ command: 'X', by: 'a', everything: true })).toMatch(/everything/);
    expect(problem('not an object')).not.toBeNull();
  });
});
