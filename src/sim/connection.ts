/**
 * One simulated WebSocket connection: the socket side of a VenueSession.
 * Owns the per-connection timers (server pings, pong deadline, idle timeout, lifetime), the
 * incoming-rate limit, and the outgoing path where the socket faults act: stall (nothing sent),
 * stall-buffered (everything held, then delivered in order), malformed, slow, and the data-frame
 * faults of frame-faults.ts. Every fault question names this socket, so a fault pinned to one
 * socket (`connection`) leaves the others alone.
 * Data frames are queued and written as one buffer per flush (see wsframes.ts).
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { ExchangeId, Market } from '../records.js';
import type { FaultBook } from './faults.js';
import { FrameFaults } from './frame-faults.js';
import { corruptFrame } from './garbage.js';
import type { SimVenueStats } from './types.js';
import type { ConnectionPolicy, SessionIO, VenueSession } from './venue.js';
import { encodeFrames } from './wsframes.js';

export interface ConnectionEnv {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly faults: FaultBook;
  readonly stats: SimVenueStats;
  onClosed(conn: SimConnection): void;
}

/** above this many bytes waiting in the socket, producers (burst) wait for 'drain' */
const HIGH_WATER = 1 << 20;
/** a consumer this far behind in real-time mode is dropped, as exchanges drop slow clients (keeps memory bounded) */
const SLOW_CONSUMER_BYTES = 64 << 20;

/** what a buffering stall holds: encoded frames, or a pong owed to the client */
type Held = { buf: Buffer; frames: number } | { pong: Buffer };

export class SimConnection implements SessionIO {
  session: VenueSession | undefined;
  private pending: string[] = [];
  /** the unified symbol of each pending data frame (undefined for frames about no one symbol) */
  private pendingSymbols: Array<string | undefined> = [];
  private readonly frameFaults: FrameFaults;
  private held: Held[] = [];
  private heldBytes = 0;
  private delayed: Array<{ due: number; buf: Buffer; frames: number }> = [];
  private delayTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongDeadline: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private windowStart = 0;
  private windowCount = 0;
  private garbageCount = 0;
  private closed = false;
  private flushWaiters: Array<() => void> = [];

  constructor(
    readonly connId: string,
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly policy: ConnectionPolicy,
    private readonly env: ConnectionEnv,
  ) {
    this.frameFaults = new FrameFaults({ exchange: env.exchange, market: env.market, faults: env.faults, connId });
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onIncoming(data, isBinary));
    ws.on('ping', (data: Buffer) => this.onPing(data));
    ws.on('pong', () => this.onPong());
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.ws.terminate());
    if (policy.serverPingIntervalMs !== undefined) {
      this.pingTimer = setInterval(() => this.sendPing(), policy.serverPingIntervalMs);
    }
    if (policy.idleTimeoutMs !== undefined) {
      this.idleTimer = setTimeout(() => this.close(1000, 'idle timeout'), policy.idleTimeoutMs);
    }
    if (policy.lifetimeMs !== undefined) {
      this.lifetimeTimer = setTimeout(() => this.close(1000, 'connection lifetime reached'), policy.lifetimeMs);
    }
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** bytes accepted but not yet handed to the kernel */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(frame: string): void {
    this.flush();
    this.write([frame], false);
  }

  queue(frame: string, symbol?: string): void {
    this.pending.push(frame);
    this.pendingSymbols.push(symbol);
  }

  /**
   * The data frames queued since the last flush, handed over and forgotten here: a prepared burst
   * renders its frames through the sessions' ordinary path now and queues them again when sent.
   */
  takePending(): { frames: string[]; symbols: Array<string | undefined> } {
    const taken = { frames: this.pending, symbols: this.pendingSymbols };
    this.pending = [];
    this.pendingSymbols = [];
    return taken;
  }

  /** data frames withheld by a data-only stall on this socket */
  get withheldFrames(): number {
    return this.frameFaults.withheld;
  }

  flush(): void {
    // faults that end on the injected clock are noticed here: generation flushes every socket each tick
    if (this.held.length > 0 && !this.has('stall-buffered')) this.releaseHeld();
    if (!this.frameFaults.idle) {
      const due = this.frameFaults.due();
      if (due.length > 0) this.write(due, true);
    }
    if (this.pending.length === 0) return;
    let frames = this.pending;
    const symbols = this.pendingSymbols;
    this.pending = [];
    this.pendingSymbols = [];
    if (!this.env.faults.empty || !this.frameFaults.idle) frames = this.frameFaults.shape(frames, symbols);
    if (frames.length > 0) this.write(frames, true);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.env.stats.serverCloses++;
    this.ws.close(code, reason);
    // a peer that never answers the closing handshake must not keep the socket (and stop()) waiting
    this.killTimer ??= setTimeout(() => this.ws.terminate(), 1000);
  }

  /** drop the TCP connection without a closing handshake (server restart) */
  terminate(): void {
    if (this.closed) return;
    this.env.stats.serverCloses++;
    this.ws.terminate();
  }

  /** resolves once the socket buffer is below the high-water mark (or the socket is gone) */
  drained(): Promise<void> {
    if (!this.isOpen || this.socket.writableLength <= HIGH_WATER) return Promise.resolve();
    return this.waitDrain();
  }

  /** resolves once everything queued so far was handed to the kernel (or the socket is gone) */
  async flushed(): Promise<void> {
    this.flush();
    if (this.delayed.length > 0 && this.isOpen) await new Promise<void>((r) => this.flushWaiters.push(r));
    if (this.isOpen && this.socket.writableLength > 0) await this.waitDrain();
  }

  private waitDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** a live fault of this kind for this socket */
  private has(kind: 'stall' | 'stall-buffered' | 'malformed'): boolean {
    return !this.env.faults.empty && this.env.faults.has(kind, this.env.exchange, this.env.market, undefined, this.connId);
  }

  private stalled(): boolean {
    return this.has('stall');
  }

  /** a buffering stall holds everything in order; past the slow-consumer bound the venue drops the socket */
  private hold(item: Held): void {
    this.held.push(item);
    this.heldBytes += 'buf' in item ? item.buf.length : item.pong.length;
    if (this.heldBytes > SLOW_CONSUMER_BYTES) {
      this.env.stats.serverCloses++;
      this.ws.terminate();
    }
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const item of held) {
      if ('buf' in item) this.out(item.buf, item.frames);
      else if (this.isOpen) this.ws.pong(item.pong);
    }
  }

  private write(frames: string[], data: boolean): void {
    if (!this.isOpen) return;
    const faults = this.env.faults;
    if (!faults.empty) {
      // a stalled server sends nothing at all: data, acks and pongs are lost
      if (this.stalled()) return;
      if (data && this.has('malformed')) frames = this.interleaveGarbage(frames);
    }
    const buf = encodeFrames(frames, this.policy.frameType);
    if (!faults.empty && this.has('stall-buffered')) {
      this.hold({ buf, frames: frames.length });
      return;
    }
    if (this.held.length > 0) this.releaseHeld();
    this.out(buf, frames.length);
  }

  /** onto the wire now, or behind the frames a slow fault delayed (order is kept either way) */
  private out(buf: Buffer, frames: number): void {
    const faults = this.env.faults;
    const slow = faults.empty ? undefined : faults.find('slow', this.env.exchange, this.env.market, undefined, this.connId);
    if (slow !== undefined || this.delayed.length > 0) {
      // order is kept: a frame never overtakes one delayed before it
      const last = this.delayed[this.delayed.length - 1];
      const due = Math.max(Date.now() + (slow?.latencyMs ?? 0), last?.due ?? 0);
      this.delayed.push({ due, buf, frames });
      this.scheduleDelayed();
      return;
    }
    this.writeNow(buf, frames);
  }

  private writeNow(buf: Buffer, frames: number): void {
    if (!this.isOpen) return;
    if (this.socket.writableLength > SLOW_CONSUMER_BYTES) {
      this.env.stats.serverCloses++;
      this.ws.terminate();
      return;
    }
    this.socket.write(buf);
    this.env.stats.framesSent += frames;
    this.env.stats.bytesSent += buf.length;
  }

  private interleaveGarbage(frames: string[]): string[] {
    const out: string[] = [];
    for (const f of frames) {
      if (this.env.faults.consume('malformed', this.env.exchange, this.env.market, undefined, this.connId)) {
        out.push(corruptFrame(f, this.garbageCount++));
        this.env.stats.garbageFrames++;
      }
      out.push(f);
    }
    return out;
  }

  private scheduleDelayed(): void {
    if (this.delayTimer !== undefined) return;
    const next = this.delayed[0];
    if (!next) {
      for (const w of this.flushWaiters.splice(0)) w();
      return;
    }
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      const now = Date.now();
      while (this.delayed.length > 0 && this.delayed[0]!.due <= now) {
        const d = this.delayed.shift()!;
        this.writeNow(d.buf, d.frames);
      }
      this.scheduleDelayed();
    }, Math.max(0, next.due - Date.now()));
  }

  private touch(): boolean {
    this.idleTimer?.refresh();
    if (this.policy.maxIncomingPerWindow === undefined) return true;
    const now = Date.now();
    if (now - this.windowStart >= (this.policy.incomingWindowMs ?? 1000)) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (++this.windowCount > this.policy.maxIncomingPerWindow) {
      this.close(1008, 'Too many requests');
      return false;
    }
    return true;
  }

  private onIncoming(data: Buffer, isBinary: boolean): void {
    this.env.stats.messagesReceived++;
    if (!this.touch() || this.closed) return;
    this.session?.onMessage(data, isBinary);
    this.flush();
  }

  private onPing(data: Buffer): void {
    if (!this.touch()) return;
    // autoPong is off so that a stalled server can stay silent, and a frozen one answer late
    if (!this.isOpen || this.stalled()) return;
    if (this.has('stall-buffered')) this.hold({ pong: Buffer.from(data) });
    else this.ws.pong(data);
  }

  private onPong(): void {
    this.idleTimer?.refresh();
    if (this.pongDeadline !== undefined) {
      clearTimeout(this.pongDeadline);
      this.pongDeadline = undefined;
    }
  }

  private sendPing(): void {
    if (!this.isOpen || this.stalled() || this.has('stall-buffered')) return;
    this.ws.ping(String(Date.now()));
    this.env.stats.pingsSent++;
    if (this.pongDeadline === undefined && this.policy.pongTimeoutMs !== undefined) {
      this.pongDeadline = setTimeout(() => this.close(1000, 'pong timeout'), this.policy.pongTimeoutMs);
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingSymbols = [];
    this.delayed = [];
    this.held = [];
    for (const t of [this.pingTimer, this.pongDeadline, this.idleTimer, this.lifetimeTimer, this.delayTimer, this.killTimer]) {
      if (t !== undefined) clearTimeout(t);
    }
    for (const w of this.flushWaiters.splice(0)) w();
    this.env.onClosed(this);
  }
}
