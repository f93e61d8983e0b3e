/**
 * The agent process's configuration, from FAULTLINE_AGENT_* variables (see README-agent.md).
 */
import { z } from 'zod';
import { env } from '@faultline/kit/config';
import { linksJsonSchema } from './link-spec.js';
import { DEFAULT_MAX_TTL_MS } from './agent.js';

export const agentConfigShape = {
  /** Pod name for logs and spans. */
  NAME: env.string('agent'),
  /** JSON array of links: [{"name","listen":"host:port","target":"host:port","protocol"}]. */
  LINKS: linksJsonSchema,
  ADMIN_HOST: env.string('127.0.0.1'),
  /** 0 = a free port (logged, and written to INFO_FILE). */
  ADMIN_PORT: env.port(0),
  /** Where the admin token is written, 0600. */
  TOKEN_FILE: env.string(),
  /** Optional: JSON with the admin URL, the links' actual addresses and the agent's PID. */
  INFO_FILE: z.string().min(1).optional(),
  /** The app process, for pause/kill; also settable with PUT /app. */
  APP_PID: z.coerce
    .number({ message: 'expected a pid' })
    .int({ message: 'expected an integer pid' })
    .min(2, { message: 'expected a pid >= 2' })
    .optional(),
  MAX_TTL_MS: env.int(DEFAULT_MAX_TTL_MS, 1, 86_400_000),
  /** Links keep forwarding this long after SIGTERM, so the app can finish its own drain. */
  DRAIN_MS: env.int(500),
  SHUTDOWN_TIMEOUT_MS: env.int(5000),
};
