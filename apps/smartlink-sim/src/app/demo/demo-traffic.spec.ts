import { parseDelivery } from '@smartlink/contract';
import { QueueRegistry } from '../queues/queue-registry';
import { ClientRegistry } from '../rac/client-registry';
import { parseSimSettings } from '../settings/sim-settings';
import { DemoTraffic } from './demo-traffic';

describe('DemoTraffic', () => {
  it('publishes what the rate owes per tick, cycling commands and envelope styles', () => {
    const settings = parseSimSettings({
      SIM_DEMO_RATE: '25',
      SIM_DEMO_COMMANDS: 'DemoA,DemoB',
      SIM_CLIENTS: 'c:s:t-1',
    });
    const clock = { now: () => Date.parse('2024-05-01T12:00:00Z') };
    const queues = new QueueRegistry(settings, clock);
    queues.setup('t-1', ['DemoA', 'DemoB']);
    const demo = new DemoTraffic(settings, clock, queues, new ClientRegistry(settings));
    // 25/s over 100 ms ticks owes 2.5 per tick: 2, then 3.
    expect([demo.tick('t-1', 25), demo.tick('t-1', 25)]).toEqual([2, 3]);
    const parsed = queues.take('t-1', 10).map((t) =>
      parseDelivery(
        { receipt: t.receipt, body: t.message.body, messageId: t.message.id },
        {
          maxPayloadBytes: 1024 * 1024,
          queueTenantId: 't-1',
        },
      ),
    );
    expect(parsed.map((r) => (r.ok ? `${r.message.command}/${r.message.envelope}` : 'refused'))).toEqual([
      'DemoA/cloudevents',
      'DemoB/totvs',
      'DemoA/cloudevents',
      'DemoB/totvs',
      'DemoA/cloudevents',
    ]);
  });
});
