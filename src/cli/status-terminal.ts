/**
 * One terminal shared by a status line redrawn in place and log lines. A log line written while
 * the status line is on screen would be glued onto it (`…alerts 0[21:05:17.712] WARN: …`), so
 * every log write goes through here: the status row is cleared first, the log text written on
 * rows of its own, and the status line redrawn under it. The status line is fitted to the
 * terminal's width by the caller's `render(width)` — a wrapped line cannot be redrawn in place.
 */
import { Writable } from 'node:stream';

/** what a terminal stream offers (process.stdout / process.stderr, or a fake one in tests) */
export interface TerminalStream {
  write(text: string): unknown;
  readonly columns?: number;
}

/** carriage return + erase the whole row: the cursor stays on the status row, at its start */
const CLEAR_ROW = '\r\x1b[2K';
const DEFAULT_COLUMNS = 80;

export class StatusTerminal {
  private render: ((width: number) => string) | undefined;
  private shown = false;

  /**
   * `statusOut` holds the status line (stdout); `logOut` takes the log lines (stderr). On a
   * terminal both reach the same screen, and both writes are synchronous there, so clearing on
   * one and writing on the other keep their order.
   */
  constructor(
    private readonly statusOut: TerminalStream,
    private readonly logOut: TerminalStream = statusOut,
  ) {}

  /** columns usable without wrapping: one less than the terminal's, since writing into the last column wraps on some terminals */
  width(): number {
    const columns = this.statusOut.columns;
    return Math.max(10, (typeof columns === 'number' && columns > 0 ? columns : DEFAULT_COLUMNS) - 1);
  }

  /** draws the status line (now and after every log line) in place of the previous one */
  status(render: (width: number) => string): void {
    this.render = render;
    this.draw();
  }

  /** writes log text on rows of its own: status row cleared first, status line redrawn after */
  log(text: string): void {
    if (this.shown) this.statusOut.write(CLEAR_ROW);
    this.logOut.write(text.endsWith('\n') ? text : `${text}\n`);
    if (this.shown) this.draw();
  }

  /** stops redrawing; the status line stays on screen and what follows starts on a fresh row */
  release(): void {
    if (this.shown) this.statusOut.write('\n');
    this.shown = false;
    this.render = undefined;
  }

  /** a stream for a logger's output (pino, pino-pretty): each chunk goes through log() */
  logStream(): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.log(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        done();
      },
    });
  }

  private draw(): void {
    if (!this.render) return;
    const line = this.render(this.width());
    // the caller fits the line; cutting here too keeps a careless render from wrapping
    this.statusOut.write(`${CLEAR_ROW}${line.length > this.width() ? line.slice(0, this.width()) : line}`);
    this.shown = true;
  }
}
