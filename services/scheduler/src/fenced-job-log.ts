/**
 * The job log in etcd, written only through a fence: an append is one transaction that
 * commits only if (1) the leader's key still exists with the create revision of its term —
 * so a deposed leader, whose lease expired or who resigned, can never write — and (2) the
 * seq counter is unchanged since we read it, so seq numbers are never reused or skipped.
 */
import { Range, type Etcd3, type IKeyValue } from 'etcd3';
import type { JobRecord } from './job-record.js';

/** Result of one fenced append. */
export type AppendResult =
  | { result: 'accepted'; record: JobRecord }
  /** The fence held: the leader key is gone or belongs to another term. */
  | { result: 'rejected-stale'; leaderKeyRevision: number }
  /** Someone moved the seq counter (a previous attempt of ours committed): re-read and retry. */
  | { result: 'seq-conflict' };

export interface Leadership {
  /** Full etcd key of the leader's campaign entry. */
  leaderKey: string;
  term: number;
  leader: string;
}

const SEQ_DIGITS = 12;

export class FencedJobLog {
  private readonly seqKey: string;
  private readonly jobsPrefix: string;
  /** Last seq we know and the seq key's mod revision then; undefined = read before writing. */
  private known: { seq: number; modRevision: number } | undefined;

  constructor(
    private readonly client: Etcd3,
    name: string,
  ) {
    this.seqKey = `scheduler/${name}/seq`;
    this.jobsPrefix = `scheduler/${name}/jobs/`;
  }

  /** The key prefix job records live under (for watchers). */
  get prefix(): string {
    return this.jobsPrefix;
  }

  jobKey(seq: number): string {
    return `${this.jobsPrefix}${String(seq).padStart(SEQ_DIGITS, '0')}`;
  }

  /** Forget the cached counter (a new term starts from what etcd says). */
  reset(): void {
    this.known = undefined;
  }

  /**
   * Appends the next record for `leadership`. `deadlineMs` (epoch) bounds the call on the
   * client side; a request that reaches etcd later is still judged by the fence.
   */
  async append(leadership: Leadership, at: Date, deadlineMs: number): Promise<AppendResult> {
    const known = this.known ?? (await this.readCounter(deadlineMs));
    const seq = known.seq + 1;
    const record: JobRecord = {
      term: leadership.term,
      leader: leadership.leader,
      seq,
      at: at.toISOString(),
    };
    const res = await this.client
      .if(leadership.leaderKey, 'Create', '==', leadership.term)
      .and(this.seqKey, 'Mod', '==', known.modRevision)
      .and(this.jobKey(seq), 'Create', '==', 0)
      .then(
        this.client.put(this.seqKey).value(String(seq)),
        this.client.put(this.jobKey(seq)).value(JSON.stringify(record)),
      )
      .else(this.client.get(leadership.leaderKey), this.client.get(this.seqKey))
      .options({ deadline: deadlineMs })
      .commit();
    if (res.succeeded) {
      this.known = { seq, modRevision: Number(res.header.revision) };
      return { result: 'accepted', record };
    }
    const leaderKv = res.responses[0]?.response_range?.kvs[0];
    const seqKv = res.responses[1]?.response_range?.kvs[0];
    this.known = counterFrom(seqKv);
    const leaderKeyRevision = leaderKv ? Number(leaderKv.create_revision) : 0;
    if (leaderKeyRevision !== leadership.term)
      return { result: 'rejected-stale', leaderKeyRevision };
    return { result: 'seq-conflict' };
  }

  /** Records with seq >= fromSeq, in seq order, at most `limit`. */
  async read(fromSeq: number, limit: number): Promise<JobRecord[]> {
    const kvs = await this.client
      .getAll()
      .inRange(new Range(this.jobKey(fromSeq), Range.prefix(this.jobsPrefix).end))
      .sort('Key', 'Ascend')
      .limit(limit)
      .exec();
    return kvs.kvs.map((kv) => JSON.parse(kv.value.toString()) as JobRecord);
  }

  private async readCounter(deadlineMs: number): Promise<{ seq: number; modRevision: number }> {
    const res = await this.client.get(this.seqKey).options({ deadline: deadlineMs }).exec();
    return counterFrom(res.kvs[0]);
  }
}

function counterFrom(kv: IKeyValue | undefined): { seq: number; modRevision: number } {
  return kv
    ? { seq: Number(kv.value.toString()), modRevision: Number(kv.mod_revision) }
    : { seq: 0, modRevision: 0 };
}
