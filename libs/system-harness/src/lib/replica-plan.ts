/** How many processes of each service a system runs: one number for every service, or a count per service name. */
export type ReplicaCounts = number | Readonly<Record<string, number>>;

/** One process of a service: which service, its instance name (its log file, its key in the system) and its index. */
export interface ReplicaSlot {
  /** The service (Nx project) the process runs. */
  readonly service: string;
  /** `executor` when the service runs once, `executor-1`, `executor-2`... when it runs several times. */
  readonly instance: string;
  /** 1-based index among the replicas of its service. */
  readonly replica: number;
}

/**
 * The processes of a system, in start order, each replica of a service next to the others. `singletons` always run
 * once (the simulator plays the cloud, not a part of the client); asking for more of them is an error, as is a count
 * that is not a positive whole number or names no service of the system.
 */
export function replicaPlan(
  services: readonly string[],
  counts: ReplicaCounts | undefined,
  singletons: readonly string[],
): ReplicaSlot[] {
  if (counts !== undefined && typeof counts === 'object') {
    const unknown = Object.keys(counts).filter((name) => !services.includes(name));
    if (unknown.length > 0)
      throw new Error(`replicas names no service of this system: ${unknown.join(', ')}`);
  }
  return services.flatMap((service) => {
    const asked = typeof counts === 'number' ? counts : (counts?.[service] ?? 1);
    const count = singletons.includes(service) && typeof counts === 'number' ? 1 : asked;
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`replicas of ${service} must be a whole number of at least 1, not ${count}`);
    }
    if (count > 1 && singletons.includes(service))
      throw new Error(`${service} runs once; it cannot have replicas`);
    return Array.from({ length: count }, (_, i) => ({
      service,
      instance: count === 1 ? service : `${service}-${i + 1}`,
      replica: i + 1,
    }));
  });
}
