/**
 * OpenAPI 3.1 documents built from the zod schemas that validate the requests, so the
 * document cannot say one thing while the code checks another. A service describes its own
 * operations; the kit adds what every service shares: the error shape, the probes, `/metrics`,
 * `/openapi.json` itself, and — for an API with a token — the bearer scheme and its 401.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** A reference to `components.schemas.<name>` of the same document. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaType {
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; required?: boolean; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
  /** OpenAPI links: where a value of this response can be used next (stateful fuzzing). */
  links?: Record<string, { operationRef: string; parameters: Record<string, string> }>;
}

export interface Operation {
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
export type PathItem = Partial<Record<HttpMethod, Operation>> & { parameters?: Parameter[] };

/** What a service says about itself; `buildOpenApiDocument` adds the shared parts. */
export interface ApiDescription {
  title: string;
  version: string;
  description?: string;
  /** OpenAPI paths (`/bookings/{bookingId}`) of the service's own routes. */
  paths: Record<string, PathItem>;
  /** Extra `components.schemas`, referenced as `#/components/schemas/<name>`. */
  schemas?: Record<string, JsonSchema>;
  /**
   * Every service route needs `Authorization: Bearer <token>`; probes and docs never do.
   * `header`: the same token is also accepted in this header (an apiKey scheme beside bearer).
   */
  bearerAuth?: { realm: string; header?: string };
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes?: Record<string, JsonSchema>;
  };
}

/** The JSON Schema (2020-12, as OpenAPI 3.1 uses) of what `schema` accepts as input. */
export function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

/** One parameter per property of `schema` (path params, a query string, headers). */
export function parametersOf(schema: z.ZodObject, where: Parameter['in']): Parameter[] {
  const json = schemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

/** A required JSON request body validated by `schema`. */
export function jsonBody(schema: z.ZodType): NonNullable<Operation['requestBody']> {
  return { required: true, content: { 'application/json': { schema: schemaOf(schema) } } };
}

/** A JSON response; `schema` is a JSON Schema or a zod schema of what is sent. */
export function jsonResponse(
  description: string,
  schema: JsonSchema | z.ZodType,
  headers?: ResponseObject['headers'],
): ResponseObject {
  const json = schema instanceof z.ZodType ? schemaOf(schema) : schema;
  return { description, ...(headers ? { headers } : {}), content: jsonContent(json) };
}

/** A link to the operation `method` of `path`, filling its parameters from this response. */
export function linkTo(method: HttpMethod, path: string, parameters: Record<string, string>) {
  return {
    operationRef: `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}`,
    parameters,
  };
}

/** An `{error, details:[{path, message}]}` response. */
export function errorResponse(
  description: string,
  headers?: ResponseObject['headers'],
): ResponseObject {
  return jsonResponse(description, ERROR_REF, headers);
}

export const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** `Retry-After` as the kit and the services send it: whole seconds. */
export const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
};

const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Every error the services send; `details` names the offending field.',
  required: ['error', 'details'],
  properties: {
    error: { type: 'string', description: 'A stable machine-readable code.' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const CHECK_RESULT = {
  type: 'object',
  required: ['ok', 'ms'],
  properties: { ok: { type: 'boolean' }, ms: { type: 'number' }, error: { type: 'string' } },
};
const READINESS = {
  type: 'object',
  required: ['status', 'checks', 'failed'],
  properties: {
    status: { enum: ['ready', 'not-ready', 'shutting-down', 'starting'] },
    checks: { type: 'object', additionalProperties: CHECK_RESULT },
    failed: { type: 'array', items: { type: 'string' } },
  },
};
const noToken: Record<string, string[]>[] = [];
const text = { schema: { type: 'string' } };

/** The routes the kit itself serves on every service: never behind a token. */
const KIT_PATHS: Record<string, PathItem> = {
  '/livez': {
    get: {
      summary: 'Liveness: the process can serve (never depends on a dependency)',
      security: noToken,
      responses: {
        '200': jsonResponse('Alive.', {
          type: 'object',
          required: ['status'],
          properties: { status: { const: 'alive' } },
        }),
      },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: every dependency check passes in time, and not shutting down',
      security: noToken,
      responses: {
        '200': jsonResponse('Ready.', READINESS),
        '503': jsonResponse('Not ready; `failed` names the checks.', READINESS),
      },
    },
  },
  '/startupz': {
    get: {
      summary: 'Start-up finished',
      security: noToken,
      responses: {
        '200': jsonResponse('Started.', {
          type: 'object',
          properties: { status: { const: 'started' } },
        }),
        '503': jsonResponse('Still starting.', {
          type: 'object',
          properties: { status: { const: 'starting' } },
        }),
      },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics: OpenMetrics when asked for, classic text otherwise',
      security: noToken,
      responses: {
        '200': {
          description: 'The metrics.',
          content: { 'text/plain': text, 'application/openmetrics-text': text },
        },
      },
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document',
      security: noToken,
      responses: { '200': jsonResponse('The OpenAPI 3.1 document.', { type: 'object' }) },
    },
  },
};

/** What the kit answers for any request with a JSON body, before the route sees it. */
const BODY_ERRORS: Record<string, ResponseObject> = {
  '400': errorResponse('Malformed JSON, or a field fails validation; `details` names it.'),
  '413': errorResponse('Body larger than the service accepts.'),
  '415': errorResponse('Unsupported content encoding or charset.'),
};

function withSharedResponses(op: Operation, bearer: ApiDescription['bearerAuth']): Operation {
  const responses = { ...(op.requestBody ? BODY_ERRORS : {}), ...op.responses };
  if (!bearer) return { ...op, responses };
  return {
    ...op,
    security: [{ bearerAuth: [] }, ...(bearer.header ? [{ tokenHeader: [] }] : [])],
    responses: {
      ...responses,
      '401': errorResponse('Missing or wrong token.', {
        'WWW-Authenticate': {
          description: `\`Bearer realm="${bearer.realm}"\``,
          required: true,
          schema: { type: 'string' },
        },
      }),
    },
  };
}

/** The full document: the service's paths with the shared responses, plus the kit's own. */
export function buildOpenApiDocument(api: ApiDescription): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  for (const [path, item] of Object.entries(api.paths)) {
    const out: PathItem = item.parameters ? { parameters: item.parameters } : {};
    for (const m of METHODS) {
      const op = item[m];
      if (op) out[m] = withSharedResponses(op, api.bearerAuth);
    }
    paths[path] = out;
  }
  const shared =
    'Errors are `{error, details:[{path, message}]}`. A known path with a method it does not ' +
    'serve answers 405 with `Allow`; HEAD is served wherever GET is.';
  return {
    openapi: '3.1.0',
    info: {
      title: api.title,
      version: api.version,
      description: api.description ? `${api.description}\n\n${shared}` : shared,
    },
    paths: { ...paths, ...KIT_PATHS },
    components: {
      schemas: { Error: ERROR_SCHEMA, ...api.schemas },
      ...(api.bearerAuth
        ? {
            securitySchemes: {
              bearerAuth: { type: 'http', scheme: 'bearer' },
              ...(api.bearerAuth.header
                ? { tokenHeader: { type: 'apiKey', in: 'header', name: api.bearerAuth.header } }
                : {}),
            },
          }
        : {}),
    },
  };
}

export const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'patch'];

/** Every `METHOD /path` the document describes (upper-case method, OpenAPI path). */
export function documentedRoutes(doc: { paths: Record<string, PathItem> }): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}
