/**
 * Discovery behind one interface: a source reports the full current endpoint list of one
 * upstream whenever it changes; the pool works out what came, went or changed readiness.
 */
import type { DiscoveredEndpoint } from '../backend-pool.js';

export type EndpointsListener = (endpoints: DiscoveredEndpoint[]) => void;

export interface Discovery {
  /** Human-readable source, for logs and the admin view. */
  readonly description: string;
  /** Starts watching; resolves after the first snapshot was delivered (or failed). */
  start(onChange: EndpointsListener): Promise<void>;
  stop(): Promise<void>;
}
