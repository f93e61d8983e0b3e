/**
 * The scheduler's HTTP API: `GET /leader` (who leads, in which term, and whether it is us)
 * and `GET /jobs?fromSeq=&limit=` (the job log, in seq order).
 */
import type { Express } from 'express';
import { EtcdError, GRPCGenericError } from 'etcd3';
import { createHttpApp } from '@faultline/kit/http';
import type { Logger } from '@faultline/kit/logging';
import type { Metrics } from '@faultline/kit/metrics';
import type { Probes } from '@faultline/kit/probes';
import { sendError } from '@faultline/kit/http-errors';
import type { FencedJobLog } from './fenced-job-log.js';
import { jobsQuery } from './jobs-query.js';
import type { LeaderElector } from './leader-elector.js';
import type { LeaderView } from './leader-view.js';
import { schedulerApi } from './scheduler-openapi.js';

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

export function createSchedulerApp(deps: SchedulerAppDeps): Express {
  const { logger, metrics, probes } = deps;
  return createHttpApp({ logger, metrics, probes, api: schedulerApi }, (r) => {
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
      let records;
      try {
        records = await deps.jobLog.read(q.fromSeq, q.limit);
      } catch (e) {
        // etcd unreachable or without quorum: the dependency failed, not the request.
        if (!(e instanceof GRPCGenericError || e instanceof EtcdError)) throw e;
        res.setHeader('Retry-After', '1');
        return sendError(res, 503, 'etcd_unavailable', [{ path: 'etcd', message: e.message }]);
      }
      const last = records[records.length - 1];
      res.json({ records, nextSeq: last ? last.seq + 1 : q.fromSeq });
    });
  });
}
