import { MessageLimits } from './message-limits';

describe('MessageLimits', () => {
  it('keeps the bounds the cloud contract and the RM columns are sized to', () => {
    expect(MessageLimits).toEqual({
      MESSAGE_ID: 128,
      TENANT_ID: 128,
      CORRELATED_ID: 512,
      COMMAND: 100,
      AUDIENCE: 100,
    });
  });

  it('keeps a command topic name under the 249 characters Kafka allows, even with a namespace as long as a command', () => {
    expect(MessageLimits.COMMAND + '.cmd.'.length + MessageLimits.COMMAND).toBeLessThanOrEqual(249);
  });
});
