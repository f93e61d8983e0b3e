/** How the CLI talks: progress lines with a timestamp offset, tables, and failures. */
const t0 = Date.now();

export function progress(line: string): void {
  process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`faultline: ${message}\n`);
  process.exit(code);
}
