/** Where ring hash takes its key from: a header, a cookie or the client's address. */
import type { IncomingMessage } from 'node:http';
import { cookieValue } from './sticky-sessions.js';

export type HashKeyExtractor = (req: IncomingMessage) => string | undefined;

/** Builds the extractor for a `hashOn` setting (`header:x-user`, `cookie:sid`, `source-ip`). */
export function hashKeyExtractor(hashOn: string): HashKeyExtractor {
  if (hashOn.startsWith('header:')) {
    const name = hashOn.slice('header:'.length).toLowerCase();
    return (req) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
  }
  if (hashOn.startsWith('cookie:')) {
    const prefix = `${hashOn.slice('cookie:'.length)}=`;
    return (req) => cookieValue(req.headers.cookie, prefix);
  }
  return (req) => req.socket.remoteAddress;
}
