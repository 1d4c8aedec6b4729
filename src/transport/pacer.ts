/**
 * Paces outgoing frames under an exchange's messages-per-second limit (Binance drops a connection
 * that sends more than 5 a second; subscribe requests and pings count). Frames wait in order;
 * nothing is dropped. The clock is injected for tests; by default its timers do not keep the
 * process alive (a closing socket drops what waits).
 */
import { backgroundClock, type Clock, type TimerHandle } from '../time/clock.js';

export class Pacer {
  private readonly queue: string[] = [];
  /** send times inside the last second */
  private readonly sent: number[] = [];
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly perSecond: number,
    private readonly write: (frame: string) => void,
    private readonly timers: Clock = backgroundClock,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`messages per second must be > 0, got ${perSecond}`);
  }

  get pending(): number {
    return this.queue.length;
  }

  send(frame: string): void {
    if (this.closed) return;
    this.queue.push(frame);
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.timer !== undefined || this.closed) return;
    const now = this.timers.now();
    while (this.sent.length > 0 && now - this.sent[0]! >= 1000) this.sent.shift();
    // stay one under the limit: the server's clock and ours do not agree to the millisecond
    const budget = Math.max(1, Math.floor(this.perSecond) - 1);
    while (this.queue.length > 0 && this.sent.length < budget) {
      this.sent.push(now);
      this.write(this.queue.shift()!);
    }
    if (this.queue.length > 0) {
      const wait = Math.max(1, 1000 - (now - this.sent[0]!));
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }
}
