/** RSS of one service as the benchmark measured it, in MiB (bench-results.json: `resources.<service>`). */
export interface MeasuredRss {
  /** The highest RSS while idle, after the warm-up. */
  readonly idleMiB: number;
  /** The highest RSS seen, idle or under load. */
  readonly peakMiB: number;
}

/** What a container's manifest gives a service. */
export interface MemorySettings {
  readonly requestMiB: number;
  readonly limitMiB: number;
  /** `--max-old-space-size` in NODE_OPTIONS, when there is one. */
  readonly maxOldSpaceMiB: number | undefined;
}

/** The rule the manifests' memory follows; docker/README.md, "Resources", explains it. */
export const MemoryBudgetRule = {
  /** The limit is at least this times the highest RSS measured: the benchmark is one shape of load among many. */
  headroom: 1.25,
  /**
   * What V8's young generation may take beside the old space: 64 MiB (three 16 MiB semi-spaces with their pages,
   * as Node 26 reported it under the benchmark's load).
   */
  youngGenerationMiB: 64,
} as const;

/**
 * The ways `settings` break the rule for a service measured at `rss`: the limit below the peak RSS with headroom, the
 * request below the idle RSS, no heap cap, a heap cap too small for what the load added to the idle RSS, or one
 * that leaves less beside it than the service holds idle plus a young generation. Empty when the budget holds.
 */
export function memoryBudgetProblems(rss: MeasuredRss, settings: MemorySettings): string[] {
  const { headroom, youngGenerationMiB } = MemoryBudgetRule;
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
  const match = /(?:^|\s)--max-old-space-size=(\d+)(?:\s|$)/.exec(nodeOptions ?? '');
  return match ? Number(match[1]) : undefined;
}
