/**
 * The CLI's exit codes, documented in apps/cli/README.md. Scripts decide from them: 3 needs new credentials, 4 is
 * worth retrying later, 2 is a mistake in the command line or the settings.
 */
export const CliExitCode = {
  Ok: 0,
  /** Anything else: the cloud refused the setup or answered out of contract, a database query failed. */
  Failed: 1,
  /** Unknown option, missing input, invalid setting. */
  Usage: 2,
  /** RAC refused the clientId/clientSecret (or the link API refused the token it issued). */
  BadCredentials: 3,
  /** The cloud or the database could not be reached, timed out, or answered 5xx/429: try again later. */
  Unreachable: 4,
  /** Interrupted at a prompt (Ctrl-C), as a shell reports SIGINT. */
  Cancelled: 130,
} as const;

export type CliExitCode = (typeof CliExitCode)[keyof typeof CliExitCode];
