/**
 * The scheduler's HTTP API: `GET /leader` (who leads, in which term, and whether it is us)
 * and `GET /jobs?fromSeq=&limit=` (the job log, in seq order).
 */
import type { Express } from 'express';
import { z } from 'zod';
import { createHttpApp } from '@faultline/kit/http';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { Probes } from '@faultline/kit/probes';
import type { FencedJobLog } from './fenced-job-log.js';
import type { LeaderElector } from './leader-elector.js';
import type { LeaderView } from './leader-view.js';

export interface SchedulerAppDeps {
  logger: Logger;
  metrics: Metrics;
  probes: Probes;
  instance: string;
  elector: LeaderElector;
  view: LeaderView;
  jobLog: FencedJobLog;
}

/** `GET /leader`'s body. */
export interface LeaderBody {
  leader: string | null;
  term: number | null;
  me: string;
  isLeader: boolean;
  since: string | null;
}

const jobsQuery = z.object({
  fromSeq: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .default(1),
  limit: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .max(1000, { message: 'expected an integer <= 1000' })
    .default(100),
});

export function createSchedulerApp(deps: SchedulerAppDeps): Express {
  return createHttpApp({ logger: deps.logger, metrics: deps.metrics, probes: deps.probes }, (r) => {
    r.get('/leader', (_req, res) => {
      const own = deps.elector.currentTerm;
      const seen = deps.view.current;
      // Our own term is authoritative for us; the observer may lag a watch event behind.
      const body: LeaderBody = own
        ? {
            leader: deps.instance,
            term: own.term,
            me: deps.instance,
            isLeader: true,
            since: own.since.toISOString(),
          }
        : {
            leader: seen.leader,
            term: seen.term,
            me: deps.instance,
            isLeader: false,
            since: seen.since?.toISOString() ?? null,
          };
      res.json(body);
    });
    r.get('/jobs', async (req, res) => {
      const q = jobsQuery.parse(req.query);
      const records = await deps.jobLog.read(q.fromSeq, q.limit);
      const last = records[records.length - 1];
      res.json({ records, nextSeq: last ? last.seq + 1 : q.fromSeq });
    });
  });
}
