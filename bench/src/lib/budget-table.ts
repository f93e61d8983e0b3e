/**
 * The one table `make bench` ends with: every budget of every benchmark that ran (budget,
 * measured, peer, verdict), and a FAIL row for a benchmark that threw, so a crash cannot
 * pass for "no budget missed".
 */
import { round, verdict, type BenchResult, type Budget } from './report.js';

export interface BudgetRow {
  bench: string;
  budget: string;
  measured: string;
  peer: string;
  verdict: string;
}

export interface BenchFailure {
  name: string;
  error: string;
}

export function budgetRows(results: BenchResult[], failures: BenchFailure[]): BudgetRow[] {
  const rows = results.flatMap((r) => r.budgets.map((b) => row(r.name, b)));
  for (const f of failures)
    rows.push({
      bench: f.name,
      budget: '(benchmark ran)',
      measured: f.error,
      peer: '',
      verdict: 'FAIL',
    });
  return rows;
}

function row(bench: string, b: Budget): BudgetRow {
  const unit = b.unit ?? '';
  return {
    bench,
    budget: `${b.name} ${b.op} ${b.limit}${unit}`,
    measured: `${round(b.value)}${unit}`,
    peer: b.peer ?? '—',
    verdict: verdict(b),
  };
}

export function formatBudgetTable(rows: BudgetRow[]): string {
  const header: BudgetRow = {
    bench: 'bench',
    budget: 'budget',
    measured: 'measured',
    peer: 'peer (same run)',
    verdict: 'verdict',
  };
  const keys = Object.keys(header) as (keyof BudgetRow)[];
  const width = Object.fromEntries(
    keys.map((k) => [k, Math.min(60, Math.max(...[header, ...rows].map((r) => r[k].length)))]),
  ) as Record<keyof BudgetRow, number>;
  const line = (r: BudgetRow) =>
    keys
      .map((k) => clip(r[k], width[k]).padEnd(width[k]))
      .join('  ')
      .trimEnd();
  const rule = keys.map((k) => '-'.repeat(width[k])).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length <= n ? one : `${one.slice(0, n - 1)}…`;
}
