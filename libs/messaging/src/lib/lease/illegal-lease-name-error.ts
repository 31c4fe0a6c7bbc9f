import { SmartLinkError } from '@smartlink/common';

/** A lease name that cannot be part of a topic and group name. Never retriable: it is a programming error. */
export class IllegalLeaseNameError extends SmartLinkError {
  constructor(name: string) {
    super(
      'ILLEGAL_LEASE_NAME',
      `Illegal lease name ${JSON.stringify(name)}: use 1-50 characters of A-Z a-z 0-9 . _ - , starting with a letter or digit`,
      false,
    );
  }
}
