/**
 * The chaos schedule: each experiment starts at its offset into the chaos phase and runs
 * through the experiment engine (`runExperiment`: resolve, apply, verify, hold, recover), so
 * a game day is not a second orchestration. Experiments may overlap. One abort signal stops
 * them all: each recovers what it applied; those not yet started never start.
 */
import { abortableSleep } from '../engine/abortable-sleep.js';
import type { GrafanaTarget } from '../engine/grafana-annotations.js';
import { runExperiment } from '../engine/experiment-run.js';
import type { RunOutcome } from '../engine/experiment-run.js';
import type { RunRecord } from '../engine/run-registry.js';
import type { ScheduledExperiment } from './load-gameday.js';
import type { GameDayPlatform } from './platform.js';

export interface ScheduledRun {
  item: ScheduledExperiment;
  /** The engine's record while it runs and when it is done; absent: never started. */
  record?: Readonly<RunRecord>;
  outcome?: RunOutcome;
  explanation?: string;
  error?: string;
}

export class ScheduleRun {
  readonly runs: ScheduledRun[];
  readonly #stop = new AbortController();

  constructor(
    private readonly platform: GameDayPlatform,
    schedule: readonly ScheduledExperiment[],
    private readonly say: (line: string) => void,
    private readonly renewIntervalMs?: number,
    private readonly grafana?: GrafanaTarget,
  ) {
    this.runs = schedule.map((item) => ({ item }));
  }

  /** Stops everything: running experiments recover, the rest never start. */
  abort(): void {
    this.#stop.abort();
  }

  /** Faults applied and not yet recovered right now. */
  active(): { name: string; fault: string; pods: string[] }[] {
    return this.runs
      .filter((r) => r.record && (r.record.phase === 'Running' || r.record.phase === 'Recovering'))
      .map((r) => ({
        name: r.item.experiment.metadata.name,
        fault: r.record!.fault,
        pods: r.record!.targets.map((t) => t.pod),
      }));
  }

  /** Runs the schedule from `chaosStart`; resolves when every started experiment has ended. */
  async run(chaosStart: number): Promise<void> {
    await Promise.all(this.runs.map((r) => this.#runOne(r, chaosStart)));
  }

  async #runOne(r: ScheduledRun, chaosStart: number): Promise<void> {
    const wait = chaosStart + r.item.startOffsetMs - Date.now();
    if (wait > 0) await abortableSleep(wait, this.#stop.signal);
    if (this.#stop.signal.aborted) return;
    const name = r.item.experiment.metadata.name;
    try {
      r.outcome = await runExperiment({
        driver: this.platform.driver,
        experiment: r.item.experiment,
        file: r.item.source,
        ...(this.platform.stateDir ? { stateDir: this.platform.stateDir } : {}),
        ...(this.platform.scrapeTargetsDir
          ? { scrapeTargetsDir: this.platform.scrapeTargetsDir }
          : {}),
        durationMs: r.item.durationMs,
        ...(this.renewIntervalMs ? { renewIntervalMs: this.renewIntervalMs } : {}),
        ...(this.grafana ? { grafana: this.grafana } : {}),
        // The game day prints its own progress; the engine's remaining-time lines would repeat it.
        progressEveryMs: Number.MAX_SAFE_INTEGER,
        signal: this.#stop.signal,
        onProgress: (line) => this.say(`  [${name}] ${line}`),
        onRecord: (rec) => {
          r.record = rec;
        },
      });
      r.record = r.outcome.record;
      r.explanation = r.outcome.explanation;
    } catch (e) {
      r.error = (e as Error).message;
      this.say(`  [${name}] the engine failed: ${r.error}`);
    }
  }
}
