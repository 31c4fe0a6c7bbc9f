import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrashPoints } from './crash-point';

function points(env: Record<string, string>): { points: CrashPoints; kills: () => number } {
  let kills = 0;
  return { points: new CrashPoints({ env, kill: () => (kills += 1) }), kills: () => kills };
}

describe('CrashPoints', () => {
  describe('when faults are not enabled', () => {
    it('never kills, even with a crash point armed', () => {
      const { points: p, kills } = points({ SMARTLINK_CRASH_AT: 'poller.after-append' });
      p.hit('poller.after-append');
      p.hit('poller.after-append');
      expect(kills()).toBe(0);
    });

    it('never kills when SMARTLINK_FAULTS_ENABLED is anything but true', () => {
      const { points: p, kills } = points({
        SMARTLINK_FAULTS_ENABLED: '1',
        SMARTLINK_CRASH_AT: 'poller.after-append',
      });
      p.hit('poller.after-append');
      expect(kills()).toBe(0);
    });
  });

  describe('when faults are enabled', () => {
    it('kills at the first hit of an armed point', () => {
      const { points: p, kills } = points({
        SMARTLINK_FAULTS_ENABLED: 'true',
        SMARTLINK_CRASH_AT: 'executor.after-project',
      });
      p.hit('poller.after-append');
      expect(kills()).toBe(0);
      p.hit('executor.after-project');
      expect(kills()).toBe(1);
    });

    it('kills at the Nth hit with name:N, and of several points at each one', () => {
      const { points: p, kills } = points({
        SMARTLINK_FAULTS_ENABLED: 'true',
        SMARTLINK_CRASH_AT: 'executor.after-send:3, executor.after-project:2',
      });
      p.hit('executor.after-send');
      p.hit('executor.after-send');
      p.hit('executor.after-project');
      expect(kills()).toBe(0);
      p.hit('executor.after-send');
      expect(kills()).toBe(1);
      p.hit('executor.after-project');
      expect(kills()).toBe(2);
      p.hit('executor.after-send');
      expect(kills()).toBe(2);
    });

    it('ignores names that are no crash point and counts that are no positive integer', () => {
      const { points: p, kills } = points({
        SMARTLINK_FAULTS_ENABLED: 'true',
        SMARTLINK_CRASH_AT: 'nowhere,poller.after-append:0,log-writer.after-insert:x',
      });
      p.hit('poller.after-append');
      p.hit('log-writer.after-insert');
      expect(kills()).toBe(0);
    });

    it('fires once across restarts when a state directory is given', () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'crash-points-')), 'fired');
      const env = {
        SMARTLINK_FAULTS_ENABLED: 'true',
        SMARTLINK_CRASH_AT: 'segment.after-handler',
        SMARTLINK_CRASH_STATE_DIR: dir,
      };
      const first = points(env);
      first.points.hit('segment.after-handler');
      expect(first.kills()).toBe(1);
      expect(existsSync(join(dir, 'segment.after-handler'))).toBe(true);

      const restarted = points(env);
      restarted.points.hit('segment.after-handler');
      expect(restarted.kills()).toBe(0);
    });
  });
});
