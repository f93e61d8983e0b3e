/**
 * For each service's test: its served `/openapi.json` against the routes its express app
 * really registers, so a route cannot be added (or dropped) without the document following.
 */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { registeredRoutes } from '../http.js';
import { documentedRoutes, type PathItem } from '../openapi-document.js';

interface Document {
  openapi: string;
  paths: Record<string, PathItem>;
}

/** Fails naming every route served but not documented, and documented but not served. */
export function assertDocumentMatchesRoutes(doc: Document, app: Express): void {
  assert.equal(doc.openapi, '3.1.0');
  const served = registeredRoutes(app).map((r) => `${r.method} ${r.path}`);
  const documented = documentedRoutes(doc);
  assert.deepEqual(
    {
      undocumented: served.filter((r) => !documented.includes(r)),
      unserved: documented.filter((r) => !served.includes(r)),
    },
    { undocumented: [], unserved: [] },
  );
  assert.deepEqual(unresolvedRefs(doc), [], 'every $ref points into the document');
}

/** `$ref`s that name nothing in `doc` (local refs only: the documents have no others). */
export function unresolvedRefs(doc: object): string[] {
  const missing: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, child] of Object.entries(v)) {
      if (k === '$ref' && typeof child === 'string' && resolve(doc, child) === undefined)
        missing.push(child);
      else walk(child);
    }
  };
  walk(doc);
  return missing;
}

function resolve(doc: object, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  }
  return at;
}
