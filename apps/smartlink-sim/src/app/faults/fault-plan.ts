import type { FaultConfig, FaultEndpoint, FaultRule } from './fault-config';

/** A fault that answers the request instead of the endpoint (every kind but latency). */
export type TerminalFault = Exclude<FaultRule, { kind: 'latency' }>;

/** What to do to one request. */
export interface FaultDecision {
  /** Added delay before anything else. */
  readonly delayMs: number;
  /** The fault that answers the request, or null to let the endpoint answer. */
  readonly fault: TerminalFault | null;
}

/** A rule with its firing counters, as the admin API shows it. */
export interface ArmedRule {
  readonly rule: FaultRule;
  /** Firings left of `next`; null when unbounded. */
  remaining: number | null;
  fired: number;
}

const NOTHING: FaultDecision = { delayMs: 0, fault: null };

/**
 * Decides, per request, which configured faults fire. Rules are tried in order: every firing latency rule adds
 * its delay; the first firing terminal rule answers the request, and later ones are not tried. A rule fires
 * when it covers the endpoint, still has firings left, and passes its probability roll. Pure but for the
 * random source, which tests replace.
 */
export class FaultPlan {
  private rules: ArmedRule[] = [];
  private ttlOverrideS: number | null = null;

  constructor(
    config: FaultConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.replace(config);
  }

  /** Replaces every rule and the token TTL override, resetting the counters. */
  replace(config: FaultConfig): void {
    this.rules = config.rules.map((rule) => ({ rule, remaining: rule.next ?? null, fired: 0 }));
    this.ttlOverrideS = config.tokenTtlS;
  }

  /** Token lifetime override in seconds, or null for the setting. */
  get tokenTtlS(): number | null {
    return this.ttlOverrideS;
  }

  decide(endpoint: FaultEndpoint): FaultDecision {
    if (this.rules.length === 0) return NOTHING;
    let delayMs = 0;
    let fault: TerminalFault | null = null;
    for (const armed of this.rules) {
      const { rule } = armed;
      if (rule.kind !== 'latency' && fault) continue;
      if (rule.endpoints && !rule.endpoints.includes(endpoint)) continue;
      if (armed.remaining === 0) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      armed.fired++;
      if (armed.remaining !== null) armed.remaining--;
      if (rule.kind === 'latency') delayMs += rule.latencyMs + Math.floor(this.random() * rule.jitterMs);
      else fault = rule;
    }
    return { delayMs, fault };
  }

  snapshot(): { rules: ArmedRule[]; tokenTtlS: number | null } {
    return { rules: this.rules.map((r) => ({ ...r })), tokenTtlS: this.ttlOverrideS };
  }
}
