/**
 * Waits `ms`, or less if `signal` aborts first; never rejects. The abort listener is removed
 * when the timer fires, so a loop that sleeps on one long-lived signal does not pile them up.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
