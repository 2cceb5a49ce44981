// A probe's latency at a fixed rate, alone and while a background load runs, in alternating rounds: the shape of
// every "p99 under X against idle" case of `npm run bench`.
import { mergeResults, statsOf, type LoadGenerator, type LoadResult, type LoadSpec, type LoadStats, type PlannedRequest } from './load.js';

/** How a case runs: in rounds, each after an unmeasured warm-up. */
export interface Phases {
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly rounds: number;
  /** How long each kind of load runs alone, unmeasured, before its first round; BACKGROUND_WARMUP_MS unless said. */
  readonly aloneMs?: number;
}

export interface ProbeLoad {
  /** What the probe is, for the round lines ("userName eq", "GET /healthz"). */
  readonly name: string;
  readonly headers: Record<string, string>;
  readonly requests: readonly PlannedRequest[];
  /** Requests per second, started on schedule whatever the answers (an open loop). */
  readonly rate: number;
  /** At most this many in flight. */
  readonly concurrency: number;
}

export interface UnderLoadResult {
  readonly idle: LoadStats;
  readonly loaded: LoadStats;
  /** The background load that ran meanwhile, and how it was answered. */
  readonly background: LoadStats;
  readonly backgroundStatuses: Readonly<Record<number, number>>;
  /** loaded p99 / idle p99. */
  readonly ratio: number;
  /** The same ratio in each round on its own: a burst of the machine's other work shows as one outlier. */
  readonly roundRatios: readonly number[];
}

export function checked(result: LoadResult): LoadResult {
  if (result.errors > 0) throw new Error(`${result.name}: ${result.errors} failed requests, first: ${result.firstError}`);
  return result;
}

/**
 * How long the background load runs once, alone and unmeasured, before the first round: the first second of a
 * new kind of load is spent compiling its code paths and opening its connections, which a server that has run
 * for a while has done already (on 2 cores it made a first round's p99 20 to 100 times the later rounds').
 */
export const BACKGROUND_WARMUP_MS = 2000;

/**
 * The probe alone, then the probe while `background(warmupMs, durationMs)` runs on a second load generator (a thread
 * of its own), round after round, after the background has run once alone (BACKGROUND_WARMUP_MS). The background
 * starts with the probe and is given `rampMs` more on each side, so the probe is measured under load from start to end.
 */
export async function benchUnderLoad(
  port: number,
  probes: LoadGenerator,
  backgroundLoad: LoadGenerator,
  probe: ProbeLoad,
  background: (warmupMs: number, durationMs: number) => LoadSpec,
  phases: Phases,
  log: (line: string) => void,
  rampMs = 200,
): Promise<UnderLoadResult> {
  const durationMs = phases.durationMs / phases.rounds;
  const probeSpec = (name: string, warmupMs: number): LoadSpec => ({
    name,
    port,
    headers: probe.headers,
    mode: 'duration',
    requests: probe.requests,
    concurrency: probe.concurrency,
    ratePerSecond: probe.rate,
    warmupMs,
    durationMs,
    maxRequests: 5_000_000,
    expectStatus: 200,
  });
  const idle: LoadResult[] = [];
  const loaded: LoadResult[] = [];
  const behind: LoadResult[] = [];
  checked(await backgroundLoad.run(background(0, Math.max(phases.aloneMs ?? BACKGROUND_WARMUP_MS, phases.warmupMs))));
  for (let round = 1; round <= phases.rounds; round++) {
    const alone = checked(await probes.run(probeSpec(`${probe.name}, idle`, phases.warmupMs)));
    const backgroundSpec = background(phases.warmupMs + rampMs, durationMs + rampMs);
    const [during, meanwhile] = await Promise.all([
      probes.run(probeSpec(`${probe.name}, under ${backgroundSpec.name}`, phases.warmupMs + rampMs)),
      backgroundLoad.run(backgroundSpec),
    ]);
    checked(during);
    checked(meanwhile);
    for (const result of [alone, during]) {
      const stats = statsOf(result);
      log(`  round ${round}/${phases.rounds} ${result.name.padEnd(40)} ${stats.perSecond.toFixed(0).padStart(6)} req/s, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms`);
    }
    log(`  round ${round}/${phases.rounds} ${`${meanwhile.name} meanwhile`.padEnd(40)} ${statsOf(meanwhile).perSecond.toFixed(1).padStart(6)} /s`);
    idle.push(alone);
    loaded.push(during);
    behind.push(meanwhile);
  }
  const idleStats = statsOf(mergeResults(idle));
  const loadedStats = statsOf(mergeResults(loaded));
  const background_ = mergeResults(behind);
  return {
    idle: idleStats,
    loaded: loadedStats,
    background: statsOf(background_),
    backgroundStatuses: background_.statuses,
    ratio: loadedStats.p99 / idleStats.p99,
    roundRatios: loaded.map((result, i) => statsOf(result).p99 / statsOf(idle[i]!).p99),
  };
}
