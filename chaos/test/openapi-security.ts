/**
 * Which operations of an OpenAPI document need a token, and which recorded requests (from a
 * schemathesis HAR) went to them: what "without the token, only 401s" is asserted over.
 */
import type { HarEntry } from './schemathesis-run.js';

export interface SecuredPath {
  /** The path template (`/faults/{faultId}`). */
  path: string;
  /** Matches a concrete path of that template (one segment per parameter). */
  pattern: RegExp;
}

type Requirement = Record<string, string[]>[];
interface Doc {
  security?: Requirement;
  paths?: Record<string, Record<string, { security?: Requirement }>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** An operation needs a token when its (or the document's) security has no empty alternative. */
const needsToken = (s: Requirement | undefined) =>
  s !== undefined && s.length > 0 && s.every((alt) => Object.keys(alt).length > 0);

/** Every path with at least one operation that needs a token. */
export function securedOperations(document: Record<string, unknown>): SecuredPath[] {
  const doc = document as Doc;
  return Object.entries(doc.paths ?? {})
    .filter(([, item]) =>
      METHODS.some((m) => item[m] && needsToken(item[m].security ?? doc.security)),
    )
    .map(([path]) => ({
      path,
      pattern: new RegExp(
        `^${path
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}$`,
      ),
    }));
}

/** The recorded requests, with any method, to a secured path. */
export function unauthenticatedAnswers(secured: SecuredPath[], entries: HarEntry[]): HarEntry[] {
  return entries.filter((e) => {
    const path = new URL(e.url).pathname;
    return secured.some((s) => s.pattern.test(path));
  });
}
