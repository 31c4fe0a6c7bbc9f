export { SmartLinkError, isRetriable } from './lib/errors/smartlink-error';
export { SettingsError, type SettingProblem } from './lib/settings/settings-error';
export {
  parseSettings,
  numberSetting,
  booleanSetting,
  type SettingsSource,
} from './lib/settings/parse-settings';
