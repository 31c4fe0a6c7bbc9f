import { AttemptStatus, MessageDirection } from '@smartlink/rm-tables';
import { waitFor } from '@smartlink/testing';
import type { SimMessage } from '@smartlink/testing';
import { publishFromSegment } from '@smartlink/system-harness';
import type { SimSent } from '@smartlink/testing';
import { TENANT, TestSystem, type DatabaseKind } from '@smartlink/system-harness';

// Segments publish, the cloud receives: the example segment replies to every DemoPing the cloud sends it and
// publishes messages of its own; the executor sends all of them up. The simulator plays the cloud both ways.

const PINGS = 40;
const NOTICES = 25;

/** The i-th ping: both envelope styles in turn, a small JSON payload the reply echoes. */
function ping(i: number): SimMessage {
  const data = { n: i, texto: 'ação 日本' };
  return i % 2 === 0
    ? { style: 'cloudevents', type: 'DemoPing', data }
    : { style: 'totvs', type: 'DemoPing', content: data };
}

describe.each<DatabaseKind>(['postgres', 'sqlite'])('upstream, end to end, on %s', (database) => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ database, commands: ['DemoPing'] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

  it('sends a reply to each of N pings and M messages of its own: exactly N+M sends, all recorded', async () => {
    const pings = await system.sim.enqueue(
      TENANT,
      Array.from({ length: PINGS }, (_, i) => ping(i)),
    );
    const pingIds = pings.map((p) => p.id);
    const noticeIds = await publishFromSegment(system.segmentUrl, { count: NOTICES });
    expect(new Set(noticeIds).size).toBe(NOTICES);

    // The cloud receives N+M sends...
    await waitFor(async () => (await system.sim.sent(TENANT)).total >= PINGS + NOTICES, {
      description: `${PINGS + NOTICES} sends at the simulator`,
      timeoutMs: 180_000,
      intervalMs: 500,
    }).catch(withLogs);

    // ...and the history has them all: N downstream executions, N+M upstream sends, each one attempt.
    const downstream = await waitFor(
      async () => {
        const rows = await system.successRows(pingIds);
        return rows.length >= PINGS && rows;
      },
      { description: `${PINGS} downstream successes`, timeoutMs: 120_000, intervalMs: 500 },
    ).catch(withLogs);
    const sent = await system.sim.sent(TENANT);
    const sentIds = sent.entries.map((s) => String(s.envelope?.id));
    const upstream = await waitFor(
      async () => {
        const rows = await system.successRows(sentIds);
        return rows.length >= PINGS + NOTICES && rows;
      },
      { description: `${PINGS + NOTICES} upstream successes`, timeoutMs: 120_000, intervalMs: 500 },
    ).catch(withLogs);

    // Exactly N+M sends, none twice.
    expect((await system.sim.sent(TENANT)).total).toBe(PINGS + NOTICES);
    expect(new Set(sentIds).size).toBe(PINGS + NOTICES);

    // One reply per ping, on send/DemoPong/demo-app, in the TOTVS envelope (the default), correlated to the ping,
    // echoing its data.
    const replies = sent.entries.filter((s) => s.type === 'DemoPong');
    expect(replies).toHaveLength(PINGS);
    const replyTo = new Map<string, SimSent>(replies.map((r) => [String(r.envelope?.correlationId), r]));
    pingIds.forEach((pingId, i) => {
      const reply = replyTo.get(pingId);
      expect(reply).toMatchObject({
        tenantId: TENANT,
        audience: 'demo-app',
        body: {
          header: { type: 'DemoPong', tenantId: TENANT, correlationId: pingId },
          content: { pong: pingId, echo: { n: i, texto: 'ação 日本' } },
        },
        envelope: { style: 'totvs', problems: [] },
      });
    });

    // The segment's own messages, on send/DemoNotice/demo-app, under the ids the publisher returned.
    const notices = sent.entries.filter((s) => s.type === 'DemoNotice');
    expect(new Set(notices.map((n) => String(n.envelope?.id)))).toEqual(new Set(noticeIds));
    for (const notice of notices) {
      expect(notice).toMatchObject({
        audience: 'demo-app',
        body: { header: { tenantId: TENANT } },
        envelope: { style: 'totvs', correlationId: null, problems: [] },
      });
    }
    expect(
      notices.map((n) => (n.body['content'] as { notice: number }).notice).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: NOTICES }, (_, i) => i + 1));

    // The history rows match: direction, one first attempt each.
    expect(downstream).toHaveLength(PINGS);
    expect(upstream).toHaveLength(PINGS + NOTICES);
    const history = await system.tables.attempts.findByMessageIds([...pingIds, ...sentIds]);
    expect(history.filter((h) => h.direction === MessageDirection.Downstream)).toHaveLength(PINGS);
    expect(history.filter((h) => h.direction === MessageDirection.Upstream)).toHaveLength(PINGS + NOTICES);
    expect(history.every((h) => h.attempt === 1 && h.status === AttemptStatus.Success)).toBe(true);

    // Nothing is left pending.
    await waitFor(
      async () => (await system.tables.messages.findByIds([...pingIds, ...sentIds])).length === 0,
      {
        description: 'GTOTVSLINKMESSAGE to be empty',
        timeoutMs: 30_000,
      },
    );
    expect(await system.tables.messages.countUndone()).toBe(0);
  });

  it('stops every service on SIGTERM within the grace period, without SIGKILL', async () => {
    const exits = await system.stop();
    for (const [service, exit] of Object.entries(exits)) {
      expect({ service, ...exit }).toEqual({ service, code: 0, signal: null });
    }
  });
});
