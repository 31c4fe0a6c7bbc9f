import type { Outcome } from '@smartlink/messaging';
import { FinishedAttempts, type FinishedAttempt } from './finished-attempts';

const entry = (messageId: string, attempt = 1): FinishedAttempt => {
  const outcome: Outcome = {
    messageId,
    attempt,
    status: 'succeeded',
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:00:00.000Z',
  };
  return { command: 'DemoPing', outcome, unpublishedLogs: [], unpublishedOutbound: [] };
};

describe('FinishedAttempts', () => {
  it('remembers by (message id, attempt): another attempt of the same message is not a duplicate', () => {
    const finished = new FinishedAttempts(10);
    finished.remember('m-1', 1, entry('m-1', 1));

    expect(finished.get('m-1', 1)?.outcome.attempt).toBe(1);
    expect(finished.get('m-1', 2)).toBeUndefined();
    expect(finished.get('m-2', 1)).toBeUndefined();
  });

  it('forgets the least recently used entry beyond its capacity', () => {
    const finished = new FinishedAttempts(2);
    finished.remember('a', 1, entry('a'));
    finished.remember('b', 1, entry('b'));
    finished.get('a', 1); // a is now more recent than b
    finished.remember('c', 1, entry('c'));

    expect(finished.size).toBe(2);
    expect(finished.get('b', 1)).toBeUndefined();
    expect(finished.get('a', 1)).toBeDefined();
    expect(finished.get('c', 1)).toBeDefined();
  });

  it('remembers nothing with capacity 0', () => {
    const finished = new FinishedAttempts(0);
    finished.remember('a', 1, entry('a'));
    expect(finished.get('a', 1)).toBeUndefined();
  });
});
