/**
 * The job log's safety checker: the properties leader election with a fence must keep,
 * checked over the records as read back from etcd.
 *  - seq is gap-free and never repeated (1, 2, 3, ... in order);
 *  - terms never go backwards along the log;
 *  - one term has one leader (two leaders accepted in the same term = split brain).
 */
import type { JobRecord } from './job-record.js';

export interface JobLogViolation {
  rule: 'seq-gap' | 'seq-duplicate' | 'term-backwards' | 'two-leaders-one-term';
  /** Index in the checked list where the violation shows. */
  index: number;
  message: string;
}

export interface JobLogReport {
  ok: boolean;
  records: number;
  /** Terms in log order, with their leader and record count. */
  terms: { term: number; leader: string; records: number }[];
  violations: JobLogViolation[];
}

/**
 * Checks `records` in the order given (the log's key order). `firstSeq` is the seq the
 * list must start at (1 for a whole log).
 */
export function checkJobLog(records: readonly JobRecord[], firstSeq = 1): JobLogReport {
  const violations: JobLogViolation[] = [];
  const leaderOfTerm = new Map<number, string>();
  const seen = new Set<number>();
  const terms: JobLogReport['terms'] = [];
  records.forEach((r, index) => {
    const expected = index === 0 ? firstSeq : records[index - 1]!.seq + 1;
    if (seen.has(r.seq)) {
      violations.push({ rule: 'seq-duplicate', index, message: `seq ${r.seq} appears twice` });
    } else if (r.seq !== expected) {
      violations.push({
        rule: 'seq-gap',
        index,
        message: `expected seq ${expected}, found ${r.seq}`,
      });
    }
    seen.add(r.seq);
    const prev = records[index - 1];
    if (prev && r.term < prev.term) {
      violations.push({
        rule: 'term-backwards',
        index,
        message: `term ${r.term} (seq ${r.seq}) after term ${prev.term} (seq ${prev.seq})`,
      });
    }
    const owner = leaderOfTerm.get(r.term);
    if (owner === undefined) leaderOfTerm.set(r.term, r.leader);
    else if (owner !== r.leader) {
      violations.push({
        rule: 'two-leaders-one-term',
        index,
        message: `term ${r.term} has records from ${owner} and ${r.leader} (seq ${r.seq})`,
      });
    }
    const last = terms[terms.length - 1];
    if (last && last.term === r.term && last.leader === r.leader) last.records++;
    else terms.push({ term: r.term, leader: r.leader, records: 1 });
  });
  return { ok: violations.length === 0, records: records.length, terms, violations };
}
