import { SmartLinkError, isRetriable } from './smartlink-error';

class TimeoutError extends SmartLinkError {
  constructor() {
    super('TIMEOUT', 'took too long', true);
  }
}

describe('SmartLinkError', () => {
  it('names itself after the concrete class and keeps code and verdict', () => {
    const error = new TimeoutError();
    expect(error.name).toBe('TimeoutError');
    expect(error.code).toBe('TIMEOUT');
    expect(error.retriable).toBe(true);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new SmartLinkError('X', 'y', false, { cause }).cause).toBe(cause);
  });
});

describe('isRetriable', () => {
  it('follows the verdict of a SmartLinkError', () => {
    expect(isRetriable(new SmartLinkError('BAD_BODY', 'bad', false))).toBe(false);
    expect(isRetriable(new SmartLinkError('HTTP_503', 'busy', true))).toBe(true);
  });

  it('treats unknown errors as retriable, so nothing is dropped by mistake', () => {
    expect(isRetriable(new Error('boom'))).toBe(true);
    expect(isRetriable('string thrown')).toBe(true);
  });
});
