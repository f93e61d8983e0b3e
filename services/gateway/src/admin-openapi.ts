/**
 * The gateway's admin API as OpenAPI 3.1 (served by the kit at `GET /openapi.json` on the
 * admin port). Bodies and parameters are the zod schemas in `admin.ts`; the views are
 * `backendView`/`upstreamView` described by hand, held to the code by test/admin-openapi.test.ts.
 */
import {
  errorResponse,
  jsonBody,
  jsonResponse,
  parametersOf,
  schemaRef,
  type ApiDescription,
  type JsonSchema,
} from '@faultline/kit/openapi-document';
import { backendParams, pickerChange, upstreamParams } from './admin.js';
import { RESULTS } from './backend.js';
import { PICKER_NAMES } from './pickers/picker.js';
import { RETRY_REASONS } from './retry-policy.js';

const count = { type: 'integer', minimum: 0 };
const counts = (names: readonly string[]): JsonSchema => ({
  type: 'object',
  required: [...names],
  properties: Object.fromEntries(names.map((n) => [n, count])),
});
const object = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
});

const BACKEND = object({
  id: { type: 'string' },
  weight: { type: 'number' },
  eligible: { type: 'boolean' },
  state: {
    enum: [
      'active',
      'removed',
      'terminating',
      'not-ready',
      'drained',
      'unhealthy',
      'ejected',
      'breaker-open',
    ],
  },
  discovery: object({
    present: { type: 'boolean' },
    ready: { type: 'boolean' },
    terminating: { type: 'boolean' },
  }),
  drained: { type: 'boolean' },
  health: object({
    healthy: { type: 'boolean' },
    consecutiveSuccesses: count,
    consecutiveFailures: count,
    lastError: { type: ['string', 'null'] },
  }),
  ejection: object({
    ejected: { type: 'boolean' },
    until: { type: ['string', 'null'], format: 'date-time' },
    ejections: count,
    consecutiveFailures: count,
    failuresAtLastEjection: count,
  }),
  inFlight: count,
  tcpConnections: count,
  breaker: { enum: ['closed', 'open', 'half-open'] },
  requests: counts(RESULTS),
});

const UPSTREAM = object({
  name: { type: 'string' },
  prefix: { type: 'string' },
  picker: { enum: [...PICKER_NAMES] },
  sticky: {
    oneOf: [
      { type: 'null' },
      object({
        cookie: { type: 'string' },
        ttlSec: count,
        hit: count,
        miss: count,
        restick: count,
      }),
    ],
  },
  retries: object({ made: count, budgetExhausted: count, byReason: counts(RETRY_REASONS) }),
  backends: { type: 'array', items: schemaRef('Backend') },
});

const unknownUpstream = errorResponse('No such upstream (or backend); `details` names which.');
const drainParameters = parametersOf(backendParams, 'path');

export const gatewayAdminApi: ApiDescription = {
  title: 'faultline gateway admin',
  version: '0.1.0',
  description:
    'The live view of every backend, run-time picker changes and operator drains. Served on the admin port only.',
  bearerAuth: { realm: 'faultline-gateway' },
  paths: {
    '/admin/backends': {
      get: {
        summary: 'Every upstream and its backends, as the proxy sees them now',
        responses: {
          '200': jsonResponse('The view.', {
            type: 'object',
            required: ['upstreams'],
            properties: { upstreams: { type: 'array', items: schemaRef('Upstream') } },
          }),
        },
      },
    },
    '/admin/upstreams/{name}/picker': {
      put: {
        summary: "Replace an upstream's picker (its state starts fresh)",
        parameters: parametersOf(upstreamParams, 'path'),
        requestBody: jsonBody(pickerChange),
        responses: {
          '200': jsonResponse('The new picker and the one it replaced.', {
            type: 'object',
            required: ['upstream', 'picker', 'previous'],
            properties: {
              upstream: { type: 'string' },
              picker: { enum: [...PICKER_NAMES] },
              previous: { enum: [...PICKER_NAMES] },
            },
          }),
          '404': unknownUpstream,
        },
      },
    },
    '/admin/upstreams/{name}/backends/{backend}/drain': {
      post: {
        summary: 'Drain a backend: no new requests, in-flight ones finish',
        parameters: drainParameters,
        responses: {
          '202': jsonResponse('Draining; the backend as it is now.', schemaRef('Backend')),
          '404': unknownUpstream,
        },
      },
      delete: {
        summary: 'Undrain a backend: it takes requests again (if otherwise eligible)',
        parameters: drainParameters,
        responses: {
          '200': jsonResponse('Undrained; the backend as it is now.', schemaRef('Backend')),
          '404': unknownUpstream,
        },
      },
    },
  },
  schemas: { Backend: BACKEND, Upstream: UPSTREAM },
};
