/** What the agent's admin routes accept besides a fault: parsed by admin-api.ts, documented by admin-openapi.ts. */
import { z } from 'zod';
import { ttlSchema } from './fault-spec.js';

export const pidBody = z.strictObject({
  pid: z
    .number({ message: 'required: the app process id' })
    .int({ message: 'expected an integer pid' })
    .min(2, { message: 'expected a pid >= 2' })
    .max(4_194_304, { message: 'expected a pid <= 4194304 (the Linux pid_max limit)' }),
});

export const faultIdParams = z.object({ id: z.string().min(1) });

export function renewBodySchema(maxTtlMs: number) {
  return z.strictObject({ ttlMs: ttlSchema(maxTtlMs) });
}
