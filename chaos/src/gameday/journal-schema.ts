/**
 * The game-day journal as a zod schema: it validates a `journal.json` read back (reports can be
 * rebuilt from the file alone) and generates the committed JSON Schema
 * (`chaos/schema/journal.schema.json`). The TypeScript types in `journal.ts` stay the runner's
 * source; the compile-time check at the bottom fails the build when this schema and those types
 * disagree, so the two cannot drift apart silently.
 */
import { z } from 'zod';
import { JOURNAL_VERSION } from './journal.js';
import type { Journal } from './journal.js';

const time = z.number().describe('Epoch milliseconds');
const ms = z.number().describe('Milliseconds');
const share = z.number().describe('A share in [0, 1]');
const nullableShare = share.nullable();

export const specEchoSchema = z.object({
  file: z.string(),
  name: z.string(),
  description: z.string().optional(),
  hypothesis: z.object({
    statement: z.string(),
    slos: z.array(z.string()),
    steadyState: z.array(z.object({ name: z.string(), query: z.string(), tolerance: z.string() })),
  }),
  durations: z.object({ baselineMs: ms, chaosMs: ms, recoveryMs: ms }),
  phaseScale: z.number(),
  schedule: z.array(
    z.object({
      experiment: z.string(),
      file: z.string().optional(),
      startOffsetMs: ms,
      durationMs: ms,
    }),
  ),
  checkers: z.array(z.string()),
  negativeControl: z.boolean(),
  overrides: z.array(z.string()),
  seed: z.number().optional(),
});

export const phaseWindowSchema = z.object({
  name: z.enum(['preflight', 'baseline', 'chaos', 'recovery', 'checkers']),
  startedAt: time,
  endedAt: time.optional(),
  plannedMs: ms.optional(),
  cutShort: z.string().optional(),
});

export const sloEchoSchema = z.object({
  name: z.string(),
  service: z.string(),
  id: z.string(),
  description: z.string(),
  objective: share,
  window: z.string(),
  sliKind: z.string(),
  file: z.string(),
});

export const checkLineSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  at: time,
});

export const steadyStateResultSchema = z.object({
  name: z.string(),
  query: z.string(),
  tolerance: z.string(),
  when: z.enum(['before', 'after']),
  ok: z.boolean(),
  samples: z.array(z.object({ at: time, value: z.number().nullable() })),
  detail: z.string(),
});

export const loadEchoSchema = z.object({
  scenario: z.string(),
  rate: z.number(),
  runner: z.string(),
  target: z.string(),
  startedAt: time.optional(),
  stoppedAt: time.optional(),
  requests: z.object({
    scheduled: z.number(),
    ok: z.number(),
    error: z.number(),
    unknown: z.number(),
    dropped: z.number(),
  }),
  summary: z.unknown().optional(),
});

export const sloSampleSchema = z.object({
  slo: z.string(),
  at: time,
  sli: nullableShare,
  errorRatio: nullableShare,
  burnRate: z.record(z.string(), z.number().nullable()),
});

export const clientSampleSchema = z.object({
  at: time,
  intervalMs: ms,
  requests: z.number(),
  errors: z.number(),
  unknown: z.number(),
  dropped: z.number(),
  errorShare: nullableShare,
  p99Ms: ms.nullable(),
});

export const timelineSchema = z.object({
  stepMs: ms,
  slo: z.array(sloSampleSchema),
  client: z.array(clientSampleSchema),
});

export const faultWindowSchema = z.object({
  experimentId: z.string(),
  name: z.string(),
  source: z.string(),
  faultType: z.string(),
  requested: z.string(),
  targets: z.array(z.string()),
  scheduledOffsetMs: ms,
  startedAt: time.optional(),
  endedAt: time.optional(),
  enginePhase: z.string(),
  engineMessage: z.string().optional(),
  verification: z.array(
    z.object({
      pod: z.string(),
      outcome: z.string(),
      observed: z.string(),
      at: z.string().optional(),
    }),
  ),
  observed: z.object({
    status: z.enum(['confirmed', 'mismatch', 'inconclusive']),
    evidence: z.array(z.string()),
    client: z
      .object({
        errorShare: nullableShare,
        p99Ms: ms.nullable(),
        baselineErrorShare: nullableShare,
        baselineP99Ms: ms.nullable(),
      })
      .optional(),
  }),
});

export const alertRecordSchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  severity: z.string().optional(),
  firing: z.array(z.object({ start: time, end: time.optional() })),
  duringFaults: z.array(z.string()),
});

export const leadershipTimelineSchema = z.object({
  samples: z.array(
    z.object({ at: time, leader: z.string().nullable(), term: z.number().nullable() }),
  ),
  terms: z.array(
    z.object({ term: z.number(), leader: z.string(), firstSeen: time, lastSeen: time }),
  ),
});

export const witnessEventSchema = z.object({
  at: time.optional(),
  subject: z.string(),
  detail: z.string(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const witnessSchema = z.object({
  description: z.string(),
  events: z.array(witnessEventSchema),
});

export const checkerResultSchema = z.object({
  name: z.string(),
  status: z.enum(['pass', 'fail', 'unknown']),
  summary: z.string(),
  checked: z.number(),
  unknownOperations: z.number(),
  witness: witnessSchema.optional(),
  error: z.string().optional(),
  durationMs: ms,
});

export const faultDetectionSchema = z.object({
  experimentId: z.string(),
  alert: z.string().optional(),
  detectedAt: time.optional(),
  timeToDetectMs: ms.nullable(),
});

export const faultRecoverySchema = z.object({
  experimentId: z.string(),
  recoveredAt: time.optional(),
  fromFaultEndMs: ms.nullable(),
  fromFaultStartMs: ms.nullable(),
  evaluations: z.number(),
});

export const sloVerdictSchema = z.object({
  slo: z.string(),
  objective: share,
  met: z.boolean().nullable(),
  sli: z.object({
    overall: nullableShare,
    byPhase: z.partialRecord(z.enum(['baseline', 'chaos', 'recovery']), nullableShare),
  }),
  events: z.object({ total: z.number(), bad: z.number() }),
  budget: z.object({
    gameDayShare: z.number().nullable(),
    thirtyDayShare: z.number().nullable(),
  }),
  worstBurnRate: z.record(z.string(), z.object({ value: z.number(), at: time }).nullable()),
  detection: z.array(faultDetectionSchema),
  recovery: z.array(faultRecoverySchema),
});

export const findingSchema = z.object({
  kind: z.enum([
    'not-detected',
    'alert-without-fault',
    'fault-mismatch',
    'steady-state-after',
    'harness',
    'other',
  ]),
  message: z.string(),
  experimentId: z.string().optional(),
  at: time.optional(),
});

export const traceSummarySchema = z.object({
  traceId: z.string(),
  durationMs: ms,
  startedAt: time,
  rootSpan: z.object({ service: z.string(), name: z.string() }),
  spanCount: z.number(),
  hasError: z.boolean(),
  url: z.string().optional(),
});

export const faultTracesSchema = z.object({
  experimentId: z.string(),
  traces: z.array(traceSummarySchema),
});

export const abortRecordSchema = z.object({
  at: time,
  reason: z.string(),
  trigger: z.enum(['alert', 'condition', 'signal']),
});

export const verdictSummarySchema = z.object({
  overall: z.enum(['PASS', 'FAIL', 'ABORTED', 'INCONCLUSIVE', 'HARNESS_ERROR']),
  reasons: z.array(z.string()),
  harnessErrors: z.array(z.string()),
});

/** The whole journal (`journal.json`). */
export const journalSchema = z
  .object({
    version: z.literal(JOURNAL_VERSION),
    spec: specEchoSchema,
    platform: z.string(),
    startedAt: time,
    endedAt: time,
    phases: z.array(phaseWindowSchema),
    slos: z.array(sloEchoSchema),
    preflight: z.array(checkLineSchema),
    steadyState: z.array(steadyStateResultSchema),
    load: loadEchoSchema,
    timeline: timelineSchema,
    faults: z.array(faultWindowSchema),
    alerts: z.array(alertRecordSchema),
    leadership: leadershipTimelineSchema,
    checkers: z.array(checkerResultSchema),
    verdicts: z.array(sloVerdictSchema),
    findings: z.array(findingSchema),
    traces: z.array(faultTracesSchema),
    abort: abortRecordSchema.optional(),
    verdict: verdictSummarySchema,
    exitCode: z.number().int(),
    historyFile: z.string(),
    outDir: z.string(),
    links: z.object({
      prometheus: z.string().optional(),
      jaeger: z.string().optional(),
      grafana: z.string().optional(),
      jaegerUi: z.string().optional(),
    }),
  })
  .describe('faultline game-day journal: everything a game day did and saw');

/** A journal.json that does not match the schema: every problem with its JSON path. */
export class JournalFileError extends Error {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(
      `${file}: not a game-day journal (version ${JOURNAL_VERSION}):\n  ${problems.join('\n  ')}`,
    );
    this.name = 'JournalFileError';
    this.problems = problems;
  }
}

/** Parses the text of a journal.json, throwing a {@link JournalFileError} that names each bad path. */
export function parseJournal(text: string, file: string): Journal {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new JournalFileError(file, [`invalid JSON: ${(err as Error).message}`]);
  }
  const result = journalSchema.safeParse(raw);
  if (!result.success)
    throw new JournalFileError(
      file,
      result.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
      ),
    );
  return result.data;
}

// Compile-time drift check: a Journal is what the schema accepts and the schema yields a Journal.
type Parsed = z.output<typeof journalSchema>;
type Accepted = z.input<typeof journalSchema>;
const _journalIsAccepted = (j: Journal): Accepted => j;
const _parsedIsJournal = (p: Parsed): Journal => p;
void _journalIsAccepted;
void _parsedIsJournal;
