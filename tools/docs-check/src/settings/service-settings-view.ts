import { minimalEnv } from './minimal-env';
import type { ServiceName } from './service-entry-points';
import { readServiceSettings, type ServiceSettings } from './settings-reader';

/** The setting that holds a service's HTTP port. */
export const portSetting = (service: ServiceName) => (service === 'smartlink-sim' ? 'SIM_PORT' : 'HTTP_PORT');

/**
 * What the packaging checks ask of the settings each service reads: `load()` runs the loaders (in `beforeAll`, as it
 * needs Jest's module registry), then the questions answer from what they recorded.
 */
export function serviceSettingsView(root: string) {
  let code: ServiceSettings | undefined;
  const recorded = (): ServiceSettings => {
    if (!code) throw new Error('the service settings are not loaded: call load() in beforeAll');
    return code;
  };
  return {
    load: (): void => {
      code = readServiceSettings(root, minimalEnv);
    },
    defaultPort: (service: ServiceName) =>
      Number(recorded()[service].get(portSetting(service))?.defaultValue),
    reads: (service: ServiceName, name: string) => recorded()[service].has(name),
    required: (service: ServiceName) =>
      [...recorded()[service]].filter(([, setting]) => setting.required).map(([name]) => name),
  };
}
