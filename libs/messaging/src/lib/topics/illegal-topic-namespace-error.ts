import { SmartLinkError } from '@smartlink/common';

/** The topic namespace cannot prefix topic names. Never retriable: it is configuration. */
export class IllegalTopicNamespaceError extends SmartLinkError {
  constructor() {
    super(
      'ILLEGAL_TOPIC_NAMESPACE',
      'Illegal topic namespace: it may hold only A-Z a-z 0-9 . _ - , must start with a letter or digit and be at most 100 characters (SMARTLINK_TOPIC_NAMESPACE)',
      false,
    );
  }
}
