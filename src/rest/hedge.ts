/**
 * Hedged requests: a GET that has gone unanswered for much longer than the venue usually takes
 * gets a second copy, and whichever answers first is the answer (the other is aborted).
 *
 * Why: a gap fill races the venue's REST retention. Bybit serves the last 1,000 trades of a linear
 * symbol (60 on spot): at 200 trades/s that is five seconds of history, so one request that hangs
 * for the whole per-attempt timeout (10 s) before it is retried finds the hole already rolled out
 * of reach, and the trades in it are lost for good. A copy sent after a few of the venue's usual
 * answer times reaches a server that has recovered (or another backend behind its load balancer)
 * while the history is still there. The cost is one extra request per slow request, spent from
 * the same pace and weight budget as any other (http-client.ts). See docs/architecture.md#rest.
 */

/** answer times kept per host to judge what "much longer than usual" is */
const SAMPLES = 32;
/** a copy goes out after this many times the host's recent 90th-percentile answer time */
const SLOW_FACTOR = 3;

/** recent answer times per host (venue key), for the hedge delay */
export class AnswerTimes {
  private readonly byHost = new Map<string, { ring: number[]; next: number }>();

  record(host: string, ms: number): void {
    let h = this.byHost.get(host);
    if (h === undefined) this.byHost.set(host, (h = { ring: [], next: 0 }));
    if (h.ring.length < SAMPLES) h.ring.push(ms);
    else h.ring[h.next] = ms;
    h.next = (h.next + 1) % SAMPLES;
  }

  /** how long a request to `host` waits before its copy goes out: SLOW_FACTOR × p90, at least `minMs` */
  hedgeDelayMs(host: string, minMs: number): number {
    const ring = this.byHost.get(host)?.ring;
    if (ring === undefined || ring.length === 0) return minMs;
    const sorted = ring.slice().sort((a, b) => a - b);
    const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] as number;
    return Math.max(minMs, SLOW_FACTOR * p90);
  }
}

export interface HedgeOptions<T> {
  /** sends one copy; `signal` aborts it (the sibling answered, or the client closed) */
  send: (signal: AbortSignal | undefined, copy: number) => Promise<T>;
  /** resolves after `ms` unless `signal` aborts first (a real timer in production, a controlled one in tests) */
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  delayMs: number;
  /** copies in flight at most, the first included (default 3): one more goes out after every `delayMs` without an answer */
  maxCopies?: number;
  /**
   * before the copy goes out: pace and budget (may wait); false when the copy is not to be sent
   * after all (the first answered meanwhile, or the client is closing)
   */
  beforeCopy: () => Promise<boolean>;
  /** the client's own signal: when it aborts, both copies do */
  signal?: AbortSignal | undefined;
}

/**
 * The first answer of up to `maxCopies` copies, one more after every `delayMs` without an answer
 * (a venue that hangs for a while hangs the copy sent into that while too). A failure (network
 * error, timeout) of the only copy in flight, before any hedge, is this call's failure at once:
 * the caller's retry policy handles it. With several in flight, a failure waits for the others;
 * all failing give the first failure.
 */
export function hedged<T>(o: HedgeOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controllers: AbortController[] = [];
    const timer = new AbortController();
    let inFlight = 0;
    let settled = false;
    let firstError: unknown;
    // the client closing aborts every copy; one listener per call, removed when it settles
    // (not AbortSignal.any per copy: derived signals of a process-long signal have leaked in Node)
    const onClose = (): void => {
      for (const c of controllers) c.abort();
    };
    o.signal?.addEventListener('abort', onClose, { once: true });
    const settle = (): void => {
      settled = true;
      o.signal?.removeEventListener('abort', onClose);
      timer.abort();
      for (const c of controllers) c.abort();
    };
    const launch = (): void => {
      const c = new AbortController();
      controllers.push(c);
      inFlight++;
      if (o.signal?.aborted === true) c.abort();
      o.send(c.signal, controllers.length - 1).then(
        (value) => {
          if (settled) return;
          settle();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          if (firstError === undefined) firstError = error;
          if (--inFlight > 0) return;
          settle();
          reject(firstError);
        },
      );
    };
    const maxCopies = o.maxCopies ?? 3;
    const arm = (): void => {
      o.delay(o.delayMs, timer.signal)
        .then(async () => {
          if (settled || !(await o.beforeCopy()) || settled) return;
          launch();
          if (controllers.length < maxCopies) arm();
        })
        // the timer aborted (answered in time), or beforeCopy failed (the client is closing): the
        // copies already out decide
        .catch(() => undefined);
    };
    launch();
    if (maxCopies > 1) arm();
  });
}

/** a real timer that does not keep the process alive */
export function realDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    t.unref?.();
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
