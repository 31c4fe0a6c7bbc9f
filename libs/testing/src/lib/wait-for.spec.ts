import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value the probe yields', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), {
      description: 'three calls',
      intervalMs: 1,
    });
    expect(value).toBe('ready after 3');
  });

  it('treats a throwing probe as not ready yet', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls < 2) throw new Error('not yet');
        return 42;
      },
      { description: 'a probe that throws once', intervalMs: 1 },
    );
    expect(value).toBe(42);
  });

  it('names what it waited for and the last error when time runs out', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('broker unreachable');
        },
        { description: 'the broker', timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow(/waiting for the broker \(last error: broker unreachable\)/);
  });

  it('accepts zero as a value', async () => {
    await expect(waitFor(() => 0, { description: 'zero' })).resolves.toBe(0);
  });
  it('ends at once with the error abortIf returns', async () => {
    let probes = 0;
    let exited = false;
    const started = Date.now();
    const waiting = waitFor(
      () => {
        probes += 1;
        if (probes === 3) exited = true;
        return false;
      },
      {
        description: 'a process that exits',
        timeoutMs: 60_000,
        intervalMs: 5,
        abortIf: () => (exited ? new Error('the process exited') : null),
      },
    );
    await expect(waiting).rejects.toThrow('the process exited');
    expect(probes).toBe(3);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
