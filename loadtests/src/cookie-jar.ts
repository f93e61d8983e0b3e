/**
 * One virtual user's cookies, as a browser would keep them for one site: `Set-Cookie` stores or
 * replaces by name (`Max-Age<=0` deletes), `header()` gives the `Cookie` line to send. Path,
 * domain and expiry are not tracked: every request goes to one origin (the gateway) within one
 * run, and the playground's cookies (`faultline_gw`, `booking_session`) use `Path=/`.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes a response's `set-cookie` header(s). */
  store(setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(-\d+|0)\s*$/i.test(a));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  has(name: string): boolean {
    return this.#cookies.has(name);
  }

  /** The `Cookie` header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
