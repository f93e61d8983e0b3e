/**
 * Runs a benchmark tool (wrk, redis-benchmark) to completion: its output, or an error that
 * carries its exit code and stderr.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const runTool = promisify(execFile);
