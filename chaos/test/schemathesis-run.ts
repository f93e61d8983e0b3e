/**
 * One schemathesis run (`st run`, from the project's .venv-fuzz/) against one OpenAPI document,
 * read back from its JSON report (failures by check and operation) and its HAR file (every
 * request and answer, for assertions schemathesis has no check for, such as "only 401s").
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VENV_SCRIPT = fileURLToPath(
  new URL('../../../scripts/schemathesis-venv.sh', import.meta.url),
);

/** The fixed seed of every run, so a failure reproduces with the same cases. */
export const SEED = 1717;

/** Path of `st`, installed by the setup script when missing (it says why when it cannot). */
export function schemathesisBinary(): string {
  const r = spawnSync('bash', [VENV_SCRIPT], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`scripts/schemathesis-venv.sh failed:\n${r.stderr}`);
  return r.stdout.trim();
}

export interface FuzzTarget {
  /** What the run is called in assertion messages (`booking`, `gateway admin, no token`). */
  api: string;
  /** Where the document is served (`http://127.0.0.1:port/openapi.json`). */
  schemaUrl: string;
  /** Where requests go when not to the document's own origin (booking through the gateway). */
  baseUrl?: string;
  /** Sent with every request; spell `Authorization` so, as schemathesis matches it to the scheme. */
  headers?: Record<string, string>;
  maxExamples: number;
}

/** One check that failed, as the JSON report lists it. */
export interface FuzzFailure {
  code: string;
  title: string;
  operations: string[];
}

export interface HarEntry {
  method: string;
  url: string;
  status: number;
  body: string;
}

export interface FuzzResult {
  api: string;
  exitCode: number | null;
  /** `st run`'s own output: the failures with their reproductions (curl lines). */
  output: string;
  failures: FuzzFailure[];
  errors: unknown[];
  /** Status per phase (`examples`, `coverage`, `fuzzing`, `stateful`). */
  phases: Record<string, { status: string; skip_reason: string | null }>;
  testCases: number;
  entries: HarEntry[];
}

interface JsonReport {
  exit_code: number;
  phases: FuzzResult['phases'];
  test_cases: { generated: number };
  failures: FuzzFailure[];
  errors: unknown[];
}

interface Har {
  log: {
    entries: {
      request: { method: string; url: string };
      response: { status: number; content: { text?: string } };
    }[];
  };
}

/** Runs `st run` with every check and every phase; resolves once it exited and wrote its reports. */
export async function runSchemathesis(st: string, t: FuzzTarget): Promise<FuzzResult> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-'));
  const args = [
    'run',
    t.schemaUrl,
    ...(t.baseUrl ? ['--url', t.baseUrl] : []),
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--seed',
    String(SEED),
    '--max-examples',
    String(t.maxExamples),
    '--workers',
    '1',
    // No example database: the same seed must give the same run, whatever ran before.
    '--generation-database',
    'none',
    '--request-timeout',
    '30',
    '--report',
    'json,har',
    '--report-json-path',
    join(dir, 'report.json'),
    '--report-har-path',
    join(dir, 'requests.har'),
    '--no-color',
    ...Object.entries(t.headers ?? {}).flatMap(([k, v]) => ['--header', `${k}: ${v}`]),
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(st, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, output: out });
    });
  });
  const file = (name: string) => {
    if (!existsSync(join(dir, name)))
      throw new Error(`${t.api}: st run wrote no ${name} (exit ${code}):\n${output}`);
    return readFileSync(join(dir, name), 'utf8');
  };
  const report = JSON.parse(file('report.json')) as JsonReport;
  const har = JSON.parse(file('requests.har')) as Har;
  // A failed run keeps its reports where its output says they are.
  if (code === 0) rmSync(dir, { recursive: true, force: true });
  return {
    api: t.api,
    exitCode: code,
    output,
    failures: report.failures,
    errors: report.errors,
    phases: report.phases,
    testCases: report.test_cases.generated,
    entries: har.log.entries.map((e) => ({
      method: e.request.method,
      url: e.request.url,
      status: e.response.status,
      body: e.response.content.text ?? '',
    })),
  };
}

/** One line per failed check: API, check code and title, the operations it failed on. */
export function describeFailures(r: FuzzResult): string[] {
  return r.failures.map((f) => `${r.api}: ${f.code} ${f.title}: ${f.operations.join(', ')}`);
}
