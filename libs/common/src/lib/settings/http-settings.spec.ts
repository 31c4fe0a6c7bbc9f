import { SettingsError } from './settings-error';
import { DEFAULT_HTTP_HOST, parseHttpSettings } from './http-settings';

describe('parseHttpSettings', () => {
  it('uses the service default port and listens on every interface', () => {
    expect(parseHttpSettings('poller', {}, 8081)).toEqual({ host: DEFAULT_HTTP_HOST, port: 8081 });
  });

  it('takes HTTP_HOST and HTTP_PORT from the environment', () => {
    expect(parseHttpSettings('poller', { HTTP_HOST: '127.0.0.1', HTTP_PORT: '9100' }, 8081)).toEqual({
      host: '127.0.0.1',
      port: 9100,
    });
  });

  it('refuses a port out of range, naming the service and the key', () => {
    expect(() => parseHttpSettings('executor', { HTTP_PORT: '70000' }, 8082)).toThrow(SettingsError);
    expect(() => parseHttpSettings('executor', { HTTP_PORT: 'abc' }, 8082)).toThrow(
      /Invalid executor HTTP settings[\s\S]*HTTP_PORT/,
    );
  });
});
