import { countsForTrend, withinLifeTrend } from './trend';

describe('withinLifeTrend', () => {
  it('gives the slope per hour of a straight line', () => {
    const points = [0, 600, 1_200, 1_800].map((t) => ({ t, y: 100 + t / 60 })); // 1 per minute

    const trend = withinLifeTrend(points);

    expect(trend?.slopePerHour).toBeCloseTo(60);
    expect(trend?.ci95PerHour).toBeCloseTo(0);
    expect(trend?.points).toBe(4);
  });

  it('sees no trend in a service that restarts to a lower level and stays flat in each life', () => {
    const points = [
      ...[0, 10, 20, 30].map((t) => ({ t, y: 300, life: 'a' })),
      ...[40, 50, 60, 70].map((t) => ({ t, y: 150, life: 'b' })),
    ];

    expect(withinLifeTrend(points)?.slopePerHour).toBeCloseTo(0);
    // one line through both lives would have fallen steeply
    expect(withinLifeTrend(points.map(({ t, y }) => ({ t, y })))?.slopePerHour).toBeLessThan(-10_000);
  });

  it('finds the growth common to every life', () => {
    const points = [
      ...[0, 10, 20].map((t) => ({ t, y: 200 + t, life: 1 })),
      ...[100, 110, 120].map((t) => ({ t, y: 50 + (t - 100), life: 2 })),
    ];

    expect(withinLifeTrend(points)?.slopePerHour).toBeCloseTo(3_600);
    expect(withinLifeTrend(points)?.lives).toBe(2);
  });

  it('widens the interval with noise', () => {
    const noisy = [0, 10, 20, 30, 40, 50].map((t, i) => ({ t, y: i % 2 === 0 ? 10 : 20 }));

    expect(withinLifeTrend(noisy)?.ci95PerHour).toBeGreaterThan(100);
  });

  it('skips readings that are missing, and is null without enough of them', () => {
    expect(
      withinLifeTrend([
        { t: 0, y: 1 },
        { t: 10, y: NaN },
        { t: 20, y: 3 },
      ]),
    ).toBeNull();
    expect(withinLifeTrend([0, 10, 20].map((t) => ({ t: 5, y: t })))).toBeNull();
  });
});

describe('countsForTrend', () => {
  it('leaves out the warm-up and the stretch after each kill', () => {
    const kills = [300, 600];

    expect(countsForTrend(100, 120, kills, 60)).toBe(false);
    expect(countsForTrend(200, 120, kills, 60)).toBe(true);
    expect(countsForTrend(300, 120, kills, 60)).toBe(false);
    expect(countsForTrend(359, 120, kills, 60)).toBe(false);
    expect(countsForTrend(360, 120, kills, 60)).toBe(true);
    expect(countsForTrend(630, 120, kills, 60)).toBe(false);
  });
});
