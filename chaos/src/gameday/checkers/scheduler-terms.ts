/**
 * `scheduler-terms`: leader election and the fenced job log held. One leader per term (in
 * the job log and in what the replicas reported during the game day); the job log is
 * gap-free; and no record was written by a stale term (terms never go backwards along seq).
 */
import type { LeadershipTimeline, Witness } from '../journal.js';
import type { Checker, CheckerVerdict } from './checker.js';

/** One job-log record as `GET /jobs` returns it (services/scheduler/src/job-record.ts). */
export interface JobRecord {
  term: number;
  leader: string;
  seq: number;
  at: string;
}

export function judgeSchedulerTerms(
  jobs: readonly JobRecord[],
  leadership: Pick<LeadershipTimeline, 'samples'>,
): CheckerVerdict {
  const sorted = [...jobs].sort((a, b) => a.seq - b.seq);
  const witnesses: Witness[] = [];
  const ev = (j: JobRecord) => ({
    at: Date.parse(j.at),
    subject: `term ${j.term}`,
    detail: `seq ${j.seq} by ${j.leader}`,
    fields: { seq: j.seq, term: j.term, leader: j.leader },
  });
  const leaderOf = new Map<number, JobRecord>();
  for (const [i, j] of sorted.entries()) {
    const prev = sorted[i - 1];
    if (prev && j.seq !== prev.seq + 1)
      witnesses.push({
        description: `job log gap: seq ${prev.seq} is followed by ${j.seq}`,
        events: [ev(prev), ev(j)],
      });
    if (prev && j.term < prev.term)
      witnesses.push({
        description: `stale write: seq ${j.seq} by ${j.leader} in term ${j.term} after seq ${prev.seq} in term ${prev.term}`,
        events: [ev(prev), ev(j)],
      });
    const first = leaderOf.get(j.term);
    if (first && first.leader !== j.leader)
      witnesses.push({
        description: `term ${j.term} has two leaders in the job log: ${first.leader} (seq ${first.seq}) and ${j.leader} (seq ${j.seq})`,
        events: [ev(first), ev(j)],
      });
    if (!first) leaderOf.set(j.term, j);
  }
  const seen = new Map<number, { leader: string; at: number }>();
  for (const s of leadership.samples) {
    if (s.term === null || s.leader === null) continue;
    const first = seen.get(s.term);
    if (first && first.leader !== s.leader) {
      witnesses.push({
        description: `term ${s.term} reported with two leaders: ${first.leader} and ${s.leader}`,
        events: [
          { at: first.at, subject: `term ${s.term}`, detail: `leader ${first.leader}` },
          { at: s.at, subject: `term ${s.term}`, detail: `leader ${s.leader}` },
        ],
      });
      seen.set(s.term, { leader: s.leader, at: s.at });
    } else if (!first) seen.set(s.term, { leader: s.leader, at: s.at });
  }
  const checked = sorted.length;
  if (witnesses.length > 0)
    return {
      status: 'fail',
      summary: `${witnesses.length} violation${witnesses.length === 1 ? '' : 's'}; first: ${witnesses[0]!.description}`,
      checked,
      unknownOperations: 0,
      witness: witnesses[0]!,
    };
  if (checked === 0)
    return {
      status: 'unknown',
      summary: 'the job log is empty: nothing to check',
      checked,
      unknownOperations: 0,
    };
  return {
    status: 'pass',
    summary: `${checked} job records (seq ${sorted[0]!.seq}–${sorted[checked - 1]!.seq}) over ${leaderOf.size} terms: gap-free, one leader per term, never a stale term`,
    checked,
    unknownOperations: 0,
  };
}

/** Reads the whole job log from the first replica that answers. */
export async function readJobLog(
  urls: readonly { pod: string; url: string }[],
): Promise<JobRecord[]> {
  let lastError: unknown;
  for (const { url } of urls) {
    try {
      const out: JobRecord[] = [];
      let from = 1;
      for (let page = 0; page < 10_000; page++) {
        const res = await fetch(`${url}/jobs?fromSeq=${from}&limit=100`, {
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) throw new Error(`${url}/jobs: ${res.status}`);
        const body = (await res.json()) as { records: JobRecord[]; nextSeq: number };
        out.push(...body.records);
        if (body.records.length < 100) return out;
        from = body.nextSeq;
      }
      return out;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(
    `no scheduler replica answered GET /jobs: ${(lastError as Error | undefined)?.message ?? 'none'}`,
  );
}

export const schedulerTermsChecker: Checker = {
  name: 'scheduler-terms',
  readsSchedulers: true,
  async run(i) {
    return judgeSchedulerTerms(await readJobLog(i.schedulerUrls), i.leadership);
  },
};
