/**
 * Follows scheduler leadership through the game day: every replica's `GET /leader` about once
 * a second. A replica that says it leads is recorded with its own term; otherwise the first
 * observer's view. The terms table is built from the samples.
 */
import type { LeadershipTimeline } from './journal.js';

export class LeadershipPoll {
  readonly timeline: LeadershipTimeline = { samples: [], terms: [] };
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    private readonly urls: () => Promise<{ pod: string; url: string }[]>,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#poll(), this.intervalMs);
  }

  stop(): LeadershipTimeline {
    clearInterval(this.#timer);
    const terms = new Map<number, LeadershipTimeline['terms'][number]>();
    for (const s of this.timeline.samples) {
      if (s.term === null || s.leader === null) continue;
      const t = terms.get(s.term);
      if (!t)
        terms.set(s.term, { term: s.term, leader: s.leader, firstSeen: s.at, lastSeen: s.at });
      else t.lastSeen = s.at;
    }
    this.timeline.terms = [...terms.values()].sort((a, b) => a.term - b.term);
    return this.timeline;
  }

  async #poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const at = Date.now();
      const views = await Promise.all(
        (await this.urls().catch(() => [])).map(async ({ url }) => {
          try {
            const res = await fetch(`${url}/leader`, { signal: AbortSignal.timeout(800) });
            return (await res.json()) as {
              leader: string | null;
              term: number | null;
              isLeader?: boolean;
            };
          } catch {
            return undefined;
          }
        }),
      );
      const claims = views.filter((v) => v?.isLeader);
      if (claims.length > 0)
        for (const c of claims)
          this.timeline.samples.push({ at, leader: c!.leader, term: c!.term });
      else {
        const seen = views.find((v) => v !== undefined);
        if (seen) this.timeline.samples.push({ at, leader: seen.leader, term: seen.term });
      }
    } finally {
      this.#busy = false;
    }
  }
}
