/** Severity of a log record, stored in `GTOTVSLINKLOG.LOGTYPE` with the values RM documents. */
export const LogType = {
  /** 0 - Mensagem de informação. */
  Info: 0,
  /** 1 - Mensagem de aviso. */
  Warning: 1,
  /** 2 - Mensagem de erro. */
  Error: 2,
} as const;

/** A {@link LogType} value as stored in `GTOTVSLINKLOG.LOGTYPE`. */
export type LogType = (typeof LogType)[keyof typeof LogType];
