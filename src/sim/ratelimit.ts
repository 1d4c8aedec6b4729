/** Fixed-window request counters, the way exchanges account REST weight (window aligned to the clock). */
export class FixedWindow {
  private start = -Infinity;
  private used = 0;

  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** adds `cost` (over-limit requests count too, as on the exchanges) */
  take(now: number, cost = 1): { ok: boolean; used: number; resetAt: number } {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    if (start !== this.start) {
      this.start = start;
      this.used = 0;
    }
    this.used += cost;
    return { ok: this.used <= this.limit, used: this.used, resetAt: start + this.windowMs };
  }

  remaining(now: number): number {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    return start === this.start ? Math.max(0, this.limit - this.used) : this.limit;
  }

  resetAt(now: number): number {
    return Math.floor(now / this.windowMs) * this.windowMs + this.windowMs;
  }
}

export function retryAfterSeconds(untilMs: number, now: number): string {
  return String(Math.max(1, Math.ceil((untilMs - now) / 1000)));
}

/** an integer query parameter; `fallback` when absent, NaN when present but not an integer */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) ? n : NaN;
}
