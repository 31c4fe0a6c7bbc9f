import { SmartLinkError } from '../errors/smartlink-error';

/** One setting that failed validation, with the text that tells the operator how to fix it. */
export interface SettingProblem {
  readonly key: string;
  readonly problem: string;
  readonly hint?: string;
}

/** Raised at boot when settings are invalid; the message lists every bad key and how to fix it. */
export class SettingsError extends SmartLinkError {
  constructor(
    readonly source: string,
    readonly problems: readonly SettingProblem[],
  ) {
    super(
      'INVALID_SETTINGS',
      [
        `Invalid ${source} settings:`,
        ...problems.map((p) => `  - ${p.key}: ${p.problem}${p.hint ? ` (expected: ${p.hint})` : ''}`),
      ].join('\n'),
      false,
    );
  }
}
