/** RSS of one service as the benchmark measured it, in MiB (bench-results.json: `resources.<service>`). */
export interface MeasuredRss {
  /** The highest RSS while idle, after the warm-up. */
  readonly idleMiB: number;
  /** The highest RSS seen, idle or under load. */
  readonly peakMiB: number;
  /** The most V8 heap in use the service reported under load (its /metrics); unknown for the simulator. */
  readonly heapMiB?: number;
}

/** What a container's manifest gives a service. */
export interface MemorySettings {
  readonly requestMiB: number;
  readonly limitMiB: number;
  /** `--max-old-space-size` in NODE_OPTIONS, when there is one. */
  readonly maxOldSpaceMiB: number | undefined;
  /** `--max-semi-space-size` in NODE_OPTIONS, when there is one. */
  readonly maxSemiSpaceMiB?: number | undefined;
}

/** The rule the manifests' memory follows; docker/README.md, "Resources", explains it. */
export const MemoryBudgetRule = {
  /** The limit is at least this times the highest RSS measured: the benchmark is one shape of load among many. */
  headroom: 1.25,
  /**
   * What V8's young generation may take beside the old space. Node 26 sizes it itself at 3 × 32 MiB semi-spaces
   * (heap_size_limit = old space + 96 MiB), so the manifests cap it: --max-semi-space-size=16 at first (3 × 16 = 48 MiB,
   * apps/bench/results/heap-capped), 8 since 2026-12-07 (24 MiB, apps/bench/results/semi-space-8; the same CPU per
   * message in both runs); 64 leaves room for the pages around it.
   */
  youngGenerationMiB: 64,
  /** The old space is at least this times the heap in use under load, so that V8 is never collecting near its cap. */
  heapHeadroom: 2,
  /**
   * No cap below this (MiB): at 96 the idle retry scheduler spent 1.85 cores collecting, at 112 and up 0.06
   * (apps/bench/results/heap-capped-too-small/old-space-trial.txt).
   */
  minOldSpaceMiB: 128,
} as const;

/**
 * The ways `settings` break the rule for a service measured at `rss`: the limit below the peak RSS with headroom, the
 * request below the idle RSS, no heap cap, a heap cap too small for what the load added to the idle RSS or for the
 * heap in use with headroom, or below the floor, or one that leaves less beside it than the service holds idle plus
 * a young generation. Empty when the budget holds.
 */
export function memoryBudgetProblems(rss: MeasuredRss, settings: MemorySettings): string[] {
  const { headroom, youngGenerationMiB, heapHeadroom, minOldSpaceMiB } = MemoryBudgetRule;
  const problems: string[] = [];
  const mib = (value: number) => `${Math.ceil(value)} MiB`;
  if (settings.limitMiB < rss.peakMiB * headroom) {
    problems.push(
      `the limit of ${mib(settings.limitMiB)} is below ${headroom} × the peak RSS of ${mib(rss.peakMiB)}`,
    );
  }
  if (settings.requestMiB < rss.idleMiB) {
    problems.push(`the request of ${mib(settings.requestMiB)} is below the idle RSS of ${mib(rss.idleMiB)}`);
  }
  const oldSpace = settings.maxOldSpaceMiB;
  if (oldSpace === undefined) {
    problems.push('no --max-old-space-size in NODE_OPTIONS');
    return problems;
  }
  if (oldSpace < rss.peakMiB - rss.idleMiB) {
    problems.push(
      `--max-old-space-size=${oldSpace} is below what the load added to the idle RSS (${mib(rss.peakMiB - rss.idleMiB)})`,
    );
  }
  if (rss.heapMiB !== undefined && oldSpace < rss.heapMiB * heapHeadroom) {
    problems.push(
      `--max-old-space-size=${oldSpace} is below ${heapHeadroom} × the heap in use under load (${mib(rss.heapMiB)})`,
    );
  }
  if (oldSpace < minOldSpaceMiB) {
    problems.push(
      `--max-old-space-size=${oldSpace} is below ${minOldSpaceMiB} MiB, where V8 collects without end`,
    );
  }
  const semiSpace = settings.maxSemiSpaceMiB;
  if (semiSpace === undefined) {
    problems.push('no --max-semi-space-size in NODE_OPTIONS: V8 would size the young generation itself');
  } else if (semiSpace * 3 > youngGenerationMiB) {
    problems.push(
      `--max-semi-space-size=${semiSpace} makes a young generation of ${semiSpace * 3} MiB, over the ` +
        `${youngGenerationMiB} MiB the rule leaves for it`,
    );
  }
  const beside = settings.limitMiB - oldSpace;
  if (beside < rss.idleMiB + youngGenerationMiB) {
    problems.push(
      `--max-old-space-size=${oldSpace} leaves ${mib(beside)} under the limit, below the idle RSS plus a young ` +
        `generation (${mib(rss.idleMiB + youngGenerationMiB)})`,
    );
  }
  return problems;
}

/** A Kubernetes memory quantity in MiB: `512Mi`, `1Gi`, `300M`, bytes. */
export function quantityMiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`unreadable memory quantity ${quantity}`);
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
  return (Number(match[1]) * (units[match[2] ?? ''] ?? 1)) / 1024 ** 2;
}

/** The `--max-old-space-size` (MiB) of a NODE_OPTIONS value. */
export function maxOldSpaceMiB(nodeOptions: string | undefined): number | undefined {
  return nodeFlagMiB(nodeOptions, 'max-old-space-size');
}

/** The `--max-semi-space-size` (MiB) of a NODE_OPTIONS value. */
export function maxSemiSpaceMiB(nodeOptions: string | undefined): number | undefined {
  return nodeFlagMiB(nodeOptions, 'max-semi-space-size');
}

function nodeFlagMiB(nodeOptions: string | undefined, flag: string): number | undefined {
  const match = new RegExp(`(?:^|\\s)--${flag}=(\\d+)(?:\\s|$)`).exec(nodeOptions ?? '');
  return match ? Number(match[1]) : undefined;
}
