/**
 * Issue 12: the live status line on a terminal. Log lines used to be glued onto it
 * (`…alerts 0[21:05:17.712] WARN: …`) and in 80 columns it wrapped, leaving a stale row on every
 * redraw. A small screen model plays the bytes back the way a terminal does (carriage return,
 * erase row, newline, wrap at the last column) so the tests look at the rows a person would see.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatusTerminal } from '../../src/cli/status-terminal.js';
import { createLogger } from '../../src/log/logger.js';
import { statusLine, type StatusFigures } from '../../src/runtime/status-figures.js';

/** a fake TTY: `columns` wide; rows as a terminal would show them, wrapping counted */
class FakeScreen {
  rows: string[] = [''];
  row = 0;
  col = 0;
  wraps = 0;
  private listeners: (() => void)[] = [];
  constructor(readonly columns: number) {}
  write(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (text.startsWith('\x1b[2K', i)) {
        this.rows[this.row] = '';
        i += 3;
      } else if (c === '\r') this.col = 0;
      else if (c === '\n') this.newRow();
      else {
        if (this.col === this.columns) {
          this.wraps++;
          this.newRow();
        }
        const line = this.rows[this.row]!.padEnd(this.col);
        this.rows[this.row] = line.slice(0, this.col) + c + line.slice(this.col + 1);
        this.col++;
      }
    }
    this.listeners.splice(0).forEach((wake) => wake());
    return true;
  }
  /** resolves on the next write */
  nextWrite(): Promise<void> {
    return new Promise((resolve) => this.listeners.push(resolve));
  }
  private newRow(): void {
    this.row++;
    this.col = 0;
    if (this.rows.length <= this.row) this.rows.push('');
  }
}

const figures = (over: Partial<StatusFigures> = {}): StatusFigures => ({
  collectors: { total: 7, running: 7 },
  connectors: { total: 15, connected: 13, byState: { Connected: 13, Reconnecting: 2 } },
  coins: { total: 24, subscribed: 22 },
  restarts: 3,
  alerts: 0,
  ...over,
});

describe('status line width', () => {
  test('fits every width without losing the store failure; wide terminals get the full line', () => {
    const full = statusLine(figures(), 12_345.6, 9_876_543, { raised: 4, storeFailing: true });
    assert.ok(full.length > 100, 'the full line is the long form');
    assert.equal(statusLine(figures(), 12_345.6, 9_876_543, { raised: 4, storeFailing: true }, 200), full);
    for (const width of [20, 40, 60, 79, 99, 120]) {
      const line = statusLine(figures(), 12_345.6, 9_876_543, { raised: 4, storeFailing: true }, width);
      assert.ok(line.length <= width, `${width} columns: ${line.length} characters: ${line}`);
      assert.match(line, /STORE/, `${width} columns keep the failing store in view`);
    }
    const eighty = statusLine(figures(), 150, 154, { raised: 0, storeFailing: false }, 79);
    assert.match(eighty, /coins 22\/24/);
    assert.match(eighty, /conn 13\/15 \(2 Reconnecting\)/);
    assert.match(eighty, /alerts 0/);
  });
});

describe('status line and log lines on one terminal', () => {
  test('a log line never lands on the status row, the status line is redrawn under it, nothing wraps', () => {
    const screen = new FakeScreen(80);
    const terminal = new StatusTerminal(screen);
    const render = (n: number) => (width: number) => statusLine(figures(), n, n * 10, { raised: 0, storeFailing: false }, width);
    screen.write('tickvisor running: 7 collectors\n  status page    http://127.0.0.1:1/\n');
    terminal.status(render(1));
    terminal.log('[21:05:17.712] WARN: gap only partly filled\n');
    terminal.status(render(2));
    terminal.log('[21:05:18.000] INFO: second\n    detail: 1\n');
    terminal.log('no newline at the end');
    terminal.status(render(3));
    assert.equal(screen.wraps, 0, 'the status line never wraps in 80 columns');
    const rows = screen.rows;
    assert.deepEqual(rows.slice(0, 2), ['tickvisor running: 7 collectors', '  status page    http://127.0.0.1:1/'], 'the banner stays');
    assert.deepEqual(rows.slice(2, 6), ['[21:05:17.712] WARN: gap only partly filled', '[21:05:18.000] INFO: second', '    detail: 1', 'no newline at the end']);
    assert.equal(rows.length, 7, 'one status row, at the bottom; no stale copies');
    assert.match(rows[6]!, /^3 rec\/s/);
    for (const row of rows.slice(0, 6)) assert.doesNotMatch(row, /rec\/s/, `a log row carries no status text: ${row}`);
    terminal.release();
    terminal.log('stopped\n');
    assert.match(screen.rows[6]!, /^3 rec\/s/, 'released: the last status line stays');
    assert.equal(screen.rows[7], 'stopped');
  });

  test('pino-pretty output routed through the terminal keeps to rows of its own', async () => {
    const screen = new FakeScreen(60);
    const terminal = new StatusTerminal(screen);
    const log = createLogger('info', { destination: terminal.logStream(), pretty: true, colorize: false });
    terminal.status((width) => statusLine(figures(), 5, 50, undefined, width));
    const written = screen.nextWrite();
    log.warn('gap only partly filled');
    await written;
    assert.equal(screen.wraps, 0);
    const last = screen.rows.length - 1;
    assert.match(screen.rows[last]!, /rec\/s/, 'the status line is redrawn on the bottom row');
    const warn = screen.rows.findIndex((r) => r.includes('WARN'));
    assert.ok(warn >= 0 && warn < last, 'the log line sits above it');
    assert.doesNotMatch(screen.rows[warn]!, /rec\/s/);
  });
});

describe('what a person watching is told instead of every state change', () => {
  test('one line when every coin is subscribed, again only after an outage', async () => {
    const { subscriptionSummary } = await import('../../src/runtime/status-figures.js');
    const summary = subscriptionSummary();
    const at = (subscribed: number) => summary(figures({ coins: { total: 24, subscribed } }));
    assert.equal(at(0), undefined);
    assert.equal(at(23), undefined);
    assert.equal(at(24), '7 collectors, 15 connectors, 24 coins: all subscribed');
    assert.equal(at(24), undefined, 'said once');
    assert.equal(at(20), undefined);
    assert.equal(at(24), '7 collectors, 15 connectors, 24 coins: all subscribed again');
  });
});
