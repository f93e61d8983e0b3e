/**
 * `make bench`: finds every `*.bench.js` beside this file, runs them one after another (never
 * in parallel: they would measure each other), prints figures and budgets, ends with one table
 * of every budget (budget, measured, peer, verdict), writes the same to
 * bench/results/latest.json, and exits non-zero when a budget is missed or a benchmark fails.
 * `make bench BENCH=kit` runs only benchmarks whose name contains "kit".
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatResult, missed, type BenchResult, type Benchmark } from './lib/report.js';
import { budgetRows, formatBudgetTable, type BenchFailure } from './lib/budget-table.js';

// Interrupted (Ctrl-C, a CI timeout's SIGTERM): exit through process.exit, so the exit hook of
// the process helpers kills the servers the running benchmark started. Without it Node dies at
// the signal, and its Redis, HAProxy and services outlive it and load the next run's figures.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => {
    console.log(`\n!! ${signal}: stopping the servers this benchmark started`);
    process.exit(code);
  });

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .sort();

const results: BenchResult[] = [];
const failures: BenchFailure[] = [];
for (const file of files) {
  const mod = (await import(join(here, file))) as { default: Benchmark };
  const bench = mod.default;
  if (filters.length > 0 && !filters.some((f) => bench.name.includes(f))) continue;
  console.log(`\n>> ${bench.name}: ${bench.description}`);
  const started = Date.now();
  try {
    const r = await bench.run();
    results.push(r);
    console.log(formatResult(r));
  } catch (e) {
    failures.push({ name: bench.name, error: e instanceof Error ? e.message : String(e) });
    console.log(
      `!! ${bench.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  }
  console.log(`   (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const table = budgetRows(results, failures);
const failed = results.flatMap((r) => r.budgets).filter(missed).length + failures.length;
const out = join(here, '..', '..', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), table, failures, results }, null, 2),
);
console.log(`\n${formatBudgetTable(table)}`);
console.log(
  `\n${results.length} benchmark(s); ${failed === 0 ? 'all budgets met' : `${failed} budget(s) missed or benchmark(s) failed`}; results in bench/results/latest.json`,
);
process.exit(failed === 0 ? 0 : 1);
