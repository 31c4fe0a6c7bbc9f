import { soakFaults, soakMessage } from './soak-runner';

describe('soakMessage', () => {
  const kinds = (failingShare: number) =>
    Array.from({ length: 1_000 }, (_, seq) => {
      const m = soakMessage(seq, { failingShare, messageBytes: 64 });
      const failing = 'data' in m && (m.data as { failAttempts?: number }).failAttempts === 1;
      return `${'type' in m ? m.type : '?'}${failing ? ':failing' : ''}`;
    });
  const count = (list: string[], kind: string) => list.filter((k) => k === kind).length;

  it('fails the first attempt of the failing share, pings 5 %, and updates employees otherwise', () => {
    const list = kinds(0.1);

    expect(count(list, 'DemoInvoiceIssued:failing')).toBe(100);
    expect(count(list, 'DemoPing')).toBe(50);
    expect(count(list, 'DemoEmployeeUpdated')).toBe(850);
  });

  it('still pings when nothing fails', () => {
    expect(count(kinds(0), 'DemoPing')).toBe(50);
  });
});

describe('soakFaults', () => {
  it('puts 503, 429 and resets on get, ack and send at the given probability', () => {
    expect(soakFaults(0.01)).toEqual({
      rules: [
        { kind: 'error', status: 503, endpoints: ['get', 'ack', 'send'], probability: 0.01 },
        { kind: 'throttle', endpoints: ['get', 'ack', 'send'], probability: 0.01, retryAfter: 1 },
        { kind: 'reset', endpoints: ['get', 'ack', 'send'], probability: 0.01 },
      ],
    });
    expect(soakFaults(0)).toEqual({ rules: [] });
  });
});
