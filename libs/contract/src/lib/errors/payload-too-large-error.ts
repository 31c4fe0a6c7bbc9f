import { SmartLinkError } from '@smartlink/common';

/**
 * A message is larger than the configured bound (SMARTLINK_MAX_PAYLOAD_BYTES). The cloud recommends roughly
 * 250-350 KB for Behavior Sharing messages (smartlink-domain.md §1.1, [C S9]). Not retriable.
 */
export class PayloadTooLargeError extends SmartLinkError {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'PAYLOAD_TOO_LARGE',
      `Smart Link payload of ${sizeBytes} bytes exceeds the ${limitBytes}-byte limit`,
      false,
    );
  }
}
