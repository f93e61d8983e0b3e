/** What `GET /jobs` accepts: the route parses with it and the OpenAPI document shows it. */
import { z } from 'zod';

/** Job keys carry 12-digit seqs (fenced-job-log.ts): a larger start can match nothing. */
const MAX_SEQ = 999_999_999_999;

export const jobsQuery = z.object({
  fromSeq: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .max(MAX_SEQ, { message: `expected an integer <= ${MAX_SEQ}` })
    .default(1)
    .meta({ description: 'First seq to return (1-based).' }),
  limit: z.coerce
    .number({ message: 'expected a number' })
    .int({ message: 'expected an integer' })
    .min(1, { message: 'expected an integer >= 1' })
    .max(1000, { message: 'expected an integer <= 1000' })
    .default(100)
    .meta({ description: 'Most records to return.' }),
});
