/**
 * Game-day reports ready time: all four reports (journal.json validated, report.md, junit.xml,
 * report.html) written for a synthetic 10-minute game day at 200 req/s, against a peer measured
 * in the same run, the bare journal dumped with JSON.stringify. The issue's budgets are absolute:
 * reports ready within 10 s of the recovery phase's end (this is the reports' share of it; the
 * verdict's is the runner's) and report.html at most 2 MB.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReports } from '@faultline/chaos/gameday/reports';
import { syntheticJournal } from '@faultline/chaos/gameday/report-synthetic-journal';
import type { Benchmark } from './lib/report.js';

const ROUNDS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const bench: Benchmark = {
  name: 'gameday-reports',
  description: 'all four game-day reports of a 10-minute, 200 req/s game day vs a bare JSON dump',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-reports-'));
    try {
      const figures: Record<string, number | string> = {};
      const budgets = [];
      // The playground's 2 s scrape interval, and 1 s steps for a finer-sampled runner.
      for (const stepMs of [2000, 1000]) {
        const journal = syntheticJournal({ rate: 200, stepMs, clientIntervalMs: 1000 });
        const reports: number[] = [];
        const peer: number[] = [];
        await writeReports(journal, join(dir, 'warm-up')); // JIT warm-up
        for (let i = 0; i < ROUNDS; i++) {
          reports.push(await timed(() => writeReports(journal, join(dir, `r${i}`))));
          peer.push(
            await timed(() => writeFile(join(dir, `peer-${i}.json`), JSON.stringify(journal))),
          );
        }
        const paths = await writeReports(journal, join(dir, 'sizes'));
        const html = (await stat(paths.html)).size;
        const tag = `${stepMs / 1000} s steps`;
        figures[`reports ready, ${tag} (ms, median)`] = median(reports);
        figures[`bare JSON dump, ${tag} (ms, median)`] = median(peer);
        figures[`reports / JSON dump, ${tag}`] = median(reports) / median(peer);
        figures[`report.html, ${tag} (KiB)`] = html / 1024;
        figures[`journal.json, ${tag} (KiB)`] = (await stat(paths.json)).size / 1024;
        budgets.push(
          {
            name: `reports ready, ${tag}`,
            value: median(reports),
            op: '<=' as const,
            limit: 10_000,
            unit: ' ms',
            peer: 'absolute bound (bare JSON dump in figures)',
          },
          {
            name: `report.html size, ${tag}`,
            value: html / 1024 / 1024,
            op: '<=' as const,
            limit: 2,
            unit: ' MiB',
            peer: 'absolute bound',
          },
        );
      }
      return {
        name: 'gameday-reports',
        figures,
        budgets,
        notes: [
          `synthetic journal: 2 min baseline, 6 min chaos, 2 min recovery, 200 req/s, 3 SLOs, 3 faults, 10 traces each; ${ROUNDS} rounds`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
