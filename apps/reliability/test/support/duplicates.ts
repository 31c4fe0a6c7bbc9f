/**
 * Duplicates judged against what the suite caused. At-least-once delivery repeats work only when something broke
 * between a piece of work and its record: a kill, a broker or database outage. So every repeated handler run must
 * follow such a disruption that came after the run it repeats, and cloud redeliveries are bounded by the events
 * that can leave a delivery un-acked. A repeat with no disruption before it is a defect, however few there are.
 */

/** One successful handler run, read from a segment's log. */
export interface HandlerRun {
  readonly messageId: string;
  readonly attempt: number;
  /** Epoch ms of the log line. */
  readonly at: number;
}

/** Something the suite did that may make at-least-once delivery repeat work. */
export interface Disruption {
  readonly what: string;
  /** Epoch ms when it happened (for a death: when the supervisor saw it). */
  readonly at: number;
}

/** A handler run of a message that had run before, with no disruption between the two runs. */
export interface UnexplainedRepeat {
  readonly messageId: string;
  readonly previous: HandlerRun;
  readonly repeat: HandlerRun;
}

const RUN_LINE =
  /^(?:DemoPing|DemoEmployeeUpdated|DemoInvoiceIssued) (\S+) attempt (\d+): (?:pong|employee update applied|invoice issued)/;

/**
 * The successful handler runs in a segment log of JSON lines (Nest's JSON format: `timestamp` and `message`). Lines
 * that are not JSON (a crash point's note on stderr, a fatal V8 message) are skipped.
 */
export function handlerRunsIn(log: string): HandlerRun[] {
  const runs: HandlerRun[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: { timestamp?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    if (typeof parsed.message !== 'string') continue;
    const match = RUN_LINE.exec(parsed.message);
    if (!match) continue;
    const at = typeof parsed.timestamp === 'number' ? parsed.timestamp : Date.parse(String(parsed.timestamp));
    if (!Number.isFinite(at)) throw new Error(`a handler run logged without a readable timestamp: ${line}`);
    runs.push({ messageId: match[1] as string, attempt: Number(match[2]), at });
  }
  return runs;
}

/**
 * The repeated runs no disruption explains: for each message, every run after its first needs a disruption at or
 * after the run before it (less `slackMs`, for clocks read in different processes and a death seen a little late)
 * and at or before itself.
 */
export function unexplainedRepeats(
  runs: readonly HandlerRun[],
  disruptions: readonly Disruption[],
  slackMs: number,
): UnexplainedRepeat[] {
  const byMessage = new Map<string, HandlerRun[]>();
  for (const run of runs) {
    const list = byMessage.get(run.messageId);
    if (list) list.push(run);
    else byMessage.set(run.messageId, [run]);
  }
  const times = disruptions.map((d) => d.at).sort((a, b) => a - b);
  const unexplained: UnexplainedRepeat[] = [];
  for (const [messageId, list] of byMessage) {
    list.sort((a, b) => a.at - b.at);
    for (let i = 1; i < list.length; i += 1) {
      const previous = list[i - 1] as HandlerRun;
      const repeat = list[i] as HandlerRun;
      const explained = times.some((t) => t >= previous.at - slackMs && t <= repeat.at);
      if (!explained) unexplained.push({ messageId, previous, repeat });
    }
  }
  return unexplained;
}

/** Handler runs beyond the first, per message. */
export function repeatedRuns(runs: readonly HandlerRun[]): number {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.messageId, (counts.get(run.messageId) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
}

/** (message id, attempt) pairs whose handler ran to success more than once: each attempt should run at most once. */
export function attemptsRunTwice(runs: readonly HandlerRun[]): string[] {
  const seen = new Map<string, number>();
  for (const run of runs) {
    const key = `${run.messageId} attempt ${run.attempt}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

/** One send the simulated cloud recorded (`/admin/sent`), reduced to what judging repeats needs. */
export interface CloudSend {
  /** The envelope id: the same on every send of one upstream message. */
  readonly id: string;
  /** Epoch ms when the simulator recorded it. */
  readonly at: number;
}

/** A send of a message the cloud had recorded before, that neither a failed attempt nor a disruption explains. */
export interface UnexplainedResend {
  readonly id: string;
  readonly previous: number;
  readonly repeat: number;
}

/**
 * The repeated sends to the cloud nothing explains. Upstream is at least once: the executor sends, then records the
 * attempt, so the cloud sees a message again when that record is missing or says failed. A repeat is explained by a
 * failed attempt of its message (the answer lost to a timeout or a reset, or a retry after an error the cloud
 * answered; each failed attempt explains one repeat, generously, as errors the cloud answered were never recorded
 * as sent), or else by a disruption between the send it repeats (less `slackMs`) and itself: a kill between the send
 * and its record, a database outage that kept the record from being written.
 */
export function unexplainedResends(
  sends: readonly CloudSend[],
  failedAttempts: ReadonlyMap<string, number>,
  disruptions: readonly Disruption[],
  slackMs: number,
): UnexplainedResend[] {
  const byId = new Map<string, number[]>();
  for (const send of sends) {
    const list = byId.get(send.id);
    if (list) list.push(send.at);
    else byId.set(send.id, [send.at]);
  }
  const times = disruptions.map((d) => d.at);
  const unexplained: UnexplainedResend[] = [];
  for (const [id, list] of byId) {
    list.sort((a, b) => a - b);
    let failures = failedAttempts.get(id) ?? 0;
    for (let i = 1; i < list.length; i += 1) {
      const previous = list[i - 1] as number;
      const repeat = list[i] as number;
      if (failures > 0) {
        failures -= 1;
        continue;
      }
      if (!times.some((t) => t >= previous - slackMs && t <= repeat))
        unexplained.push({ id, previous, repeat });
    }
  }
  return unexplained;
}
