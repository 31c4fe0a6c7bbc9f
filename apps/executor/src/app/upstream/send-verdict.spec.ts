import { SmartLinkError } from '@smartlink/common';
import {
  AuthenticationFailedError,
  IllegalAudienceError,
  PayloadTooLargeError,
  SendRejectedError,
  SmartLinkNetworkError,
  SmartLinkRejectedError,
  SmartLinkServerError,
  SmartLinkThrottledError,
  SmartLinkTimeoutError,
  SmartLinkUnauthorizedError,
} from '@smartlink/contract';
import { MissingAudienceError } from './missing-audience-error';
import { sendVerdict } from './send-verdict';

describe('sendVerdict', () => {
  it.each([
    ['a 400', new SmartLinkRejectedError('send', 400)],
    ['a 404', new SmartLinkRejectedError('send', 404)],
    ['the literal false', new SendRejectedError('T', 'A')],
    ['a body over the limit', new PayloadTooLargeError(2_000_000, 1_048_576)],
    ['an illegal audience', new IllegalAudienceError('x')],
    ['a row without audience', new MissingAudienceError('m')],
  ])('makes %s fatal: the same message would be refused again', (_label, error) => {
    expect(sendVerdict(error)).toEqual({ status: 'fatal', error: error.message, retryAfterMs: null });
  });

  it.each([
    ['a timeout', new SmartLinkTimeoutError('send', 30_000), null],
    ['a network error', new SmartLinkNetworkError('send', 'ECONNRESET'), null],
    ['a 503 with Retry-After', new SmartLinkServerError('send', 503, 3_000), 3_000],
    ['a 500 without', new SmartLinkServerError('send', 500, null), null],
    ['a 429', new SmartLinkThrottledError('send', 1_000), 1_000],
    ['a 401 after renewal', new SmartLinkUnauthorizedError('send'), null],
    ['refused credentials', new AuthenticationFailedError(401, 'invalid_client'), null],
    ['an unknown error', new Error('boom'), null],
  ])('makes %s a failed attempt to retry, with the Retry-After', (_label, error, retryAfterMs) => {
    expect(sendVerdict(error)).toEqual({ status: 'failed', error: error.message, retryAfterMs });
  });

  it('never keeps an empty error or a NUL character', () => {
    expect(sendVerdict(new SmartLinkError('X', '  ', true)).error).toBe('the send failed without a reason');
    expect(sendVerdict('bad\u0000byte').error).toBe('bad\uFFFDbyte');
  });
});
