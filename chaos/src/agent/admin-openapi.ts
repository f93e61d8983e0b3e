/**
 * The agent's admin API as OpenAPI 3.1 (served by the kit at `GET /openapi.json`), built per
 * agent: the fault body is the agent's own `faultRequestSchema` (its TTL cap), with `link`
 * narrowed to the links this agent has (and `http-fault` to its http links), so every body the
 * document calls valid is one the agent accepts.
 */
import { AGENT_TOKEN_HEADER } from './bearer-auth.js';
import {
  errorResponse,
  jsonBody,
  jsonResponse,
  parametersOf,
  schemaRef,
  schemaOf,
  type ApiDescription,
  type JsonSchema,
} from '@faultline/kit/openapi-document';
import { FAULT_TYPES, faultRequestSchema } from './fault-spec.js';
import type { LinkView } from './proxy-link.js';
import { faultIdParams, pidBody, renewBodySchema } from './admin-schemas.js';

const count = { type: 'integer', minimum: 0 };
const hostPort = {
  type: 'object',
  required: ['host', 'port'],
  properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
};

const APPLIED: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'params', 'experiment', 'ttlMs', 'appliedAt', 'expiresAt', 'oneShot'],
  properties: {
    id: { type: 'string' },
    type: { enum: [...FAULT_TYPES] },
    params: { type: 'object', description: 'As applied: defaults and the seed used filled in.' },
    link: { type: 'string' },
    pid: { type: 'integer' },
    experiment: { type: 'string' },
    ttlMs: { type: 'integer', minimum: 1 },
    appliedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    oneShot: { type: 'boolean', description: '`kill`: done when applied, never listed active.' },
  },
};
const ACTIVE: JsonSchema = {
  allOf: [
    schemaRef('AppliedFault'),
    { type: 'object', required: ['remainingMs'], properties: { remainingMs: count } },
  ],
};
const LINK: JsonSchema = {
  type: 'object',
  required: ['name', 'protocol', 'kind', 'listen', 'target', 'connections', 'bytes', 'faults'],
  properties: {
    name: { type: 'string' },
    protocol: { enum: ['tcp', 'http'] },
    kind: { enum: ['outbound', 'inbound'] },
    listen: hostPort,
    target: hostPort,
    connections: {
      type: 'object',
      required: ['active', 'total', 'refused', 'faultPath'],
      properties: { active: count, total: count, refused: count, faultPath: count },
    },
    bytes: {
      type: 'object',
      required: ['upstream', 'downstream'],
      properties: { upstream: count, downstream: count },
    },
    faults: { type: 'array', items: { type: 'string' } },
  },
};

/** The fault body, with `link` limited to the links that fault type may name on this agent. */
function faultBody(maxTtlMs: number, links: readonly LinkView[]): JsonSchema {
  const body = schemaOf(faultRequestSchema(maxTtlMs)) as { oneOf: JsonSchema[] };
  const variants = body.oneOf.flatMap((v) => {
    const props = v.properties as Record<string, JsonSchema> & { type: { const: string } };
    if (!props.link) return [v];
    const type = props.type.const;
    const names = links
      .filter((l) => type !== 'http-fault' || l.protocol === 'http')
      .map((l) => l.name);
    if (names.length === 0) return [];
    const narrowed: Record<string, JsonSchema> = { ...props, link: { enum: names } };
    // The refine in httpFaultParamsSchema (abortStatus, delayMs or both), which zod cannot
    // put in a JSON Schema of its own.
    if (type === 'http-fault')
      narrowed.params = {
        ...props.params,
        anyOf: [{ required: ['abortStatus'] }, { required: ['delayMs'] }],
      };
    return [{ ...v, properties: narrowed }];
  });
  return { oneOf: variants };
}

const noFault = errorResponse('No fault with this id was ever applied here (or long ago).');
const ended = errorResponse(
  '`fault_ended`: the fault existed and has ended (expired, removed, replaced, or a one-shot `kill`).',
);

export function agentAdminApi(maxTtlMs: number, links: readonly LinkView[]): ApiDescription {
  return {
    title: 'faultline agent admin',
    version: '0.1.0',
    description:
      "Faults on this pod's links (latency, bandwidth, partitions, resets, HTTP faults) and on its app process (pause, kill), each with a TTL.",
    // The header too: through the API server's pod proxy, Authorization does not arrive.
    bearerAuth: { realm: 'faultline-agent', header: AGENT_TOKEN_HEADER },
    paths: {
      '/links': {
        get: {
          summary: 'Links with their addresses, traffic and active fault ids',
          responses: {
            '200': jsonResponse('The links.', {
              type: 'object',
              required: ['links'],
              properties: { links: { type: 'array', items: schemaRef('Link') } },
            }),
          },
        },
      },
      '/faults': {
        get: {
          summary: 'Active faults with their remaining TTL',
          responses: {
            '200': jsonResponse('The active faults.', {
              type: 'object',
              required: ['faults'],
              properties: { faults: { type: 'array', items: schemaRef('ActiveFault') } },
            }),
          },
        },
        post: {
          summary:
            'Apply a fault (one of the same type on the same target, or with the same id, is replaced)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: faultBody(maxTtlMs, links) } },
          },
          responses: {
            '201': jsonResponse('Applied; the fault as applied.', schemaRef('AppliedFault')),
            '400': errorResponse('Invalid fault; `details` names the field.'),
            '409': errorResponse(
              '`no_app_pid` (pause/kill before the app is known) or `app_unavailable` (the app process is gone).',
            ),
          },
        },
      },
      '/faults/{id}/renew': {
        post: {
          summary: "Extend a fault's life to now + ttlMs",
          parameters: parametersOf(faultIdParams, 'path'),
          requestBody: jsonBody(renewBodySchema(maxTtlMs)),
          responses: {
            '200': jsonResponse('The fault with its new expiry.', schemaRef('ActiveFault')),
            '404': noFault,
            '409': ended,
          },
        },
      },
      '/faults/{id}': {
        delete: {
          summary: 'Remove a fault now',
          parameters: parametersOf(faultIdParams, 'path'),
          responses: {
            '200': jsonResponse('Removed; the fault as it was.', schemaRef('AppliedFault')),
            '404': noFault,
            '409': ended,
          },
        },
      },
      '/app': {
        get: {
          summary: "The app process's pid and its /proc state (`T` = stopped)",
          responses: {
            '200': jsonResponse('The app process.', {
              type: 'object',
              required: ['pid', 'state'],
              properties: {
                pid: { type: ['integer', 'null'] },
                state: {
                  type: ['string', 'null'],
                  description: 'From /proc/<pid>/stat; null when gone.',
                },
              },
            }),
          },
        },
        put: {
          summary: 'Set the app process that pause and kill signal',
          description:
            'Only a child or a sibling of the agent (the app it was started beside) may be named: the agent never signals a process outside its own family.',
          requestBody: jsonBody(pidBody),
          responses: {
            '200': jsonResponse('Set.', {
              type: 'object',
              required: ['pid'],
              properties: { pid: { type: 'integer' } },
            }),
            '403': errorResponse('The process is neither a child nor a sibling of the agent.'),
            '404': errorResponse('No such process.'),
          },
        },
      },
    },
    schemas: { AppliedFault: APPLIED, ActiveFault: ACTIVE, Link: LINK },
  };
}
