/** The scheduler's API as OpenAPI 3.1 (served by the kit at `GET /openapi.json`). */
import {
  RETRY_AFTER,
  errorResponse,
  jsonResponse,
  parametersOf,
  type ApiDescription,
} from '@faultline/kit/openapi-document';
import { jobsQuery } from './jobs-query.js';

const nullable = (type: string) => ({ type: [type, 'null'] });

export const schedulerApi: ApiDescription = {
  title: 'faultline scheduler',
  version: '0.1.0',
  description:
    'Replicas elect a leader in etcd; the leader appends one fenced record per tick to the job log.',
  paths: {
    '/leader': {
      get: {
        summary: 'Who leads, in which term, and whether it is this replica',
        responses: {
          '200': jsonResponse('The leader as this replica sees it.', {
            type: 'object',
            required: ['leader', 'term', 'me', 'isLeader', 'since'],
            properties: {
              leader: { ...nullable('string'), description: 'null while nobody leads' },
              term: { ...nullable('integer'), description: 'etcd revision of the leader key' },
              me: { type: 'string' },
              isLeader: { type: 'boolean' },
              since: { ...nullable('string'), format: 'date-time' },
            },
          }),
        },
      },
    },
    '/jobs': {
      get: {
        summary: 'The job log, in seq order, from `fromSeq`',
        parameters: parametersOf(jobsQuery, 'query'),
        responses: {
          '200': jsonResponse('Records, and the seq to ask from next.', {
            type: 'object',
            required: ['records', 'nextSeq'],
            properties: {
              records: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['term', 'leader', 'seq', 'at'],
                  properties: {
                    term: { type: 'integer' },
                    leader: { type: 'string' },
                    seq: { type: 'integer', minimum: 1 },
                    at: { type: 'string', format: 'date-time' },
                  },
                },
              },
              nextSeq: { type: 'integer', minimum: 1 },
            },
          }),
          '400': errorResponse('Bad `fromSeq` or `limit`; `details` names it.'),
          '503': errorResponse('etcd did not answer the read.', RETRY_AFTER),
        },
      },
    },
  },
};
