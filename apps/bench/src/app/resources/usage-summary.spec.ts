import { summarizeUsage, type TimedSample } from './usage-summary';

const MB = 1024 * 1024;
const sample = (at: number, cpuTicks: number, rssMb: number): TimedSample => ({
  at,
  cpuTicks,
  rssBytes: rssMb * MB,
});

describe('summarizeUsage', () => {
  it('gives the mean CPU over the stretch, the busiest interval, and mean and peak RSS', () => {
    const samples = [
      sample(0, 0, 100),
      sample(1_000, 10, 120),
      sample(2_000, 110, 140),
      sample(4_000, 130, 120),
    ];

    expect(summarizeUsage(samples, 100)).toEqual({
      cpuPercentMean: 32.5, // 1.3 s of CPU over 4 s
      cpuPercentMax: 100, // 1 s of CPU in the second interval
      rssMbMean: 120,
      rssMbMax: 140,
      cpuSeconds: 1.3,
      samples: 4,
    });
  });

  it('needs two readings to measure CPU over', () => {
    expect(summarizeUsage([sample(0, 0, 10)], 100)).toBeNull();
    expect(summarizeUsage([], 100)).toBeNull();
  });
});
