import { SettingsError } from '@smartlink/common';
import {
  AuthenticationFailedError,
  MalformedResponseError,
  SmartLinkNetworkError,
  SmartLinkRejectedError,
  SmartLinkServerError,
  SmartLinkThrottledError,
  SmartLinkTimeoutError,
  SmartLinkUnauthorizedError,
} from '@smartlink/contract';
import { CliExitCode } from '../cli-exit-code';
import { explainCloudFailure } from './cloud-failure';

const where = { racUrl: 'https://rac.test', apiUrl: 'https://link.test/api/v1', clientId: 'c1' };

describe('explainCloudFailure', () => {
  it.each([
    [
      'refused credentials',
      new AuthenticationFailedError(401, null),
      CliExitCode.BadCredentials,
      /^RAC at https:\/\/rac.test refused the credentials of client "c1"\. /,
    ],
    [
      'a token the link API refuses',
      new SmartLinkUnauthorizedError('setup'),
      CliExitCode.BadCredentials,
      /^The link API at https:\/\/link.test\/api\/v1 refused the token/,
    ],
    [
      'RAC refusing connections',
      new SmartLinkNetworkError('token', 'ECONNREFUSED'),
      CliExitCode.Unreachable,
      /^Could not reach RAC at https:\/\/rac.test: /,
    ],
    [
      'a timed-out setup',
      new SmartLinkTimeoutError('setup', 30_000),
      CliExitCode.Unreachable,
      /^Could not reach the link API at https:\/\/link.test\/api\/v1: .*timed out/,
    ],
    ['a 503', new SmartLinkServerError('setup', 503, 2000), CliExitCode.Unreachable, /HTTP 503/],
    ['a 429', new SmartLinkThrottledError('token', null), CliExitCode.Unreachable, /^Could not reach RAC/],
    [
      'a setup refused',
      new SmartLinkRejectedError('setup', 403),
      CliExitCode.Failed,
      /^The setup of the tenant queue failed: .*HTTP 403/,
    ],
    [
      'RAC answering 404',
      new SmartLinkRejectedError('token', 404),
      CliExitCode.Failed,
      /^Activation failed: RAC at https:\/\/rac.test answered: .*HTTP 404/,
    ],
    [
      'a token without tenant',
      new MalformedResponseError('token', 'access_token.tenant', 'missing tenant claim'),
      CliExitCode.Failed,
      /missing tenant claim/,
    ],
    [
      'an unreadable CA file',
      new SettingsError('Smart Link', [
        { key: 'SMARTLINK_TLS_CA_FILE', problem: 'cannot read the file (ENOENT)' },
      ]),
      CliExitCode.Failed,
      /SMARTLINK_TLS_CA_FILE/,
    ],
    ['anything else', new Error('boom'), CliExitCode.Failed, /^Activation failed: boom$/],
  ])('reads %s', (_label, error, exitCode, message) => {
    const failure = explainCloudFailure(error, where);
    expect(failure.exitCode).toBe(exitCode);
    expect(failure.message).toMatch(message);
  });
});
