import { replicaPlan } from './replica-plan';

const SERVICES = ['smartlink-sim', 'executor', 'poller'];
const SINGLETONS = ['smartlink-sim'];

describe('replicaPlan', () => {
  describe('without a count', () => {
    it('runs each service once under its own name', () => {
      expect(replicaPlan(SERVICES, undefined, SINGLETONS)).toEqual([
        { service: 'smartlink-sim', instance: 'smartlink-sim', replica: 1 },
        { service: 'executor', instance: 'executor', replica: 1 },
        { service: 'poller', instance: 'poller', replica: 1 },
      ]);
    });
  });

  describe('with one count for every service', () => {
    it('numbers the replicas of each client service, side by side, and runs the simulator once', () => {
      expect(replicaPlan(SERVICES, 2, SINGLETONS).map((slot) => slot.instance)).toEqual([
        'smartlink-sim',
        'executor-1',
        'executor-2',
        'poller-1',
        'poller-2',
      ]);
    });

    it('gives each replica its index and service', () => {
      expect(replicaPlan(SERVICES, 2, SINGLETONS)[2]).toEqual({
        service: 'executor',
        instance: 'executor-2',
        replica: 2,
      });
    });
  });

  describe('with a count per service', () => {
    it('multiplies only the services named', () => {
      expect(replicaPlan(SERVICES, { poller: 3 }, SINGLETONS).map((slot) => slot.instance)).toEqual([
        'smartlink-sim',
        'executor',
        'poller-1',
        'poller-2',
        'poller-3',
      ]);
    });

    it('refuses replicas of the simulator', () => {
      expect(() => replicaPlan(SERVICES, { 'smartlink-sim': 2 }, SINGLETONS)).toThrow(
        'smartlink-sim runs once; it cannot have replicas',
      );
    });

    it('refuses a name that is no service of the system', () => {
      expect(() => replicaPlan(SERVICES, { executr: 2 }, SINGLETONS)).toThrow(
        'replicas names no service of this system: executr',
      );
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p replicas', (count) => {
    expect(() => replicaPlan(SERVICES, count, SINGLETONS)).toThrow('must be a whole number of at least 1');
  });
});
