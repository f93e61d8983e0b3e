/** One entry of the job log: which leader ran the job, in which term, as which seq. */
export interface JobRecord {
  /** Revision at which the leader's key was created: its term of office. */
  term: number;
  /** The instance name of the leader that wrote it. */
  leader: string;
  /** Position in the log, 1-based, gap-free across all terms. */
  seq: number;
  /** Wall-clock time the leader ran the job (ISO 8601). */
  at: string;
}
