/**
 * The data-frame faults of one socket, between the venue's session and the wire:
 *   - stall-data-only: data frames are not sent (the trades stay on REST), while acks, pongs and
 *     server pings go on as usual, so the socket looks healthy to anything that only watches keep-alive;
 *   - duplicate-frames: a frame is sent twice back to back, as a venue's fan-out retry does;
 *   - replay-frames: the frames sent during the fault's window are sent once more when it ends,
 *     as a venue replaying a stretch of its stream after an internal failover;
 *   - out-of-order: a symbol's frames leave in shuffled blocks of `windowFrames`, as when a venue
 *     publishes one symbol from several gateway threads.
 * Nothing here drops a trade except stall-data-only; every other fault delivers each frame at least once.
 */
import type { ExchangeId, Market } from '../records.js';
import type { FaultBook } from './faults.js';
import { Prng } from '../prng.js';

export interface FrameFaultEnv {
  readonly exchange: ExchangeId;
  readonly market: Market;
  readonly faults: FaultBook;
  readonly connId: string;
}

/** frames recorded for one replay; past this a venue's replay buffer would be gone too */
const MAX_REPLAY_FRAMES = 10_000;
const DEFAULT_REPLAY_FRAMES = 100;
const DEFAULT_WINDOW = 4;
const FRAME_KINDS = ['stall-data-only', 'replay-frames', 'duplicate-frames', 'out-of-order'] as const;

export class FrameFaults {
  private replayRun: string[] = [];
  private replayLimit = DEFAULT_REPLAY_FRAMES;
  /** per symbol: frames held back until a block of `windowFrames` is complete */
  private blocks = new Map<string, string[]>();
  private readonly prng: Prng;
  /** data frames withheld by stall-data-only (for tests and stats) */
  withheld = 0;

  constructor(private readonly env: FrameFaultEnv) {
    let seed = 0;
    for (const ch of env.connId) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) >>> 0;
    this.prng = new Prng(seed);
  }

  /** true when nothing is held: the hot path skips this class entirely */
  get idle(): boolean {
    return this.replayRun.length === 0 && this.blocks.size === 0;
  }

  /** data frames about to be written (with their unified symbol, when the venue gave one) → frames to write now */
  shape(frames: string[], symbols: ReadonlyArray<string | undefined>): string[] {
    const { faults, exchange, market, connId } = this.env;
    // one question per kind and flush, not per frame, while other faults (REST ones, say) are live
    if (this.idle && !FRAME_KINDS.some((k) => faults.has(k, exchange, market, undefined, connId))) return frames;
    const out: string[] = [];
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const symbol = symbols[i];
      if (faults.has('stall-data-only', exchange, market, symbol, connId)) {
        this.withheld++;
        continue;
      }
      const replay = faults.find('replay-frames', exchange, market, symbol, connId);
      if (replay !== undefined) {
        this.replayLimit = Math.min(replay.count ?? DEFAULT_REPLAY_FRAMES, MAX_REPLAY_FRAMES);
        if (this.replayRun.length < this.replayLimit) this.replayRun.push(frame);
      }
      const copies = faults.consume('duplicate-frames', exchange, market, symbol, connId) ? 2 : 1;
      const shuffle = symbol === undefined ? undefined : faults.find('out-of-order', exchange, market, symbol, connId);
      for (let c = 0; c < copies; c++) {
        if (shuffle === undefined || symbol === undefined) {
          out.push(frame);
          continue;
        }
        const block = this.blocks.get(symbol) ?? [];
        block.push(frame);
        if (block.length >= Math.max(2, shuffle.windowFrames ?? DEFAULT_WINDOW)) {
          this.blocks.delete(symbol);
          out.push(...this.shuffled(block));
        } else this.blocks.set(symbol, block);
      }
    }
    return out;
  }

  /**
   * Frames due although no new data came: the last, incomplete shuffled blocks once out-of-order
   * has ended for their symbol, and the recorded run once replay-frames has ended.
   */
  due(): string[] {
    if (this.idle) return [];
    const { faults, exchange, market, connId } = this.env;
    const out: string[] = [];
    for (const [symbol, block] of this.blocks) {
      if (faults.has('out-of-order', exchange, market, symbol, connId)) continue;
      this.blocks.delete(symbol);
      out.push(...this.shuffled(block));
    }
    if (this.replayRun.length > 0 && !faults.has('replay-frames', exchange, market, undefined, connId)) {
      out.push(...this.replayRun);
      this.replayRun = [];
    }
    return out;
  }

  /** a permutation that is never the identity for two or more frames: every block really is out of order */
  private shuffled(block: string[]): string[] {
    if (block.length < 2) return block;
    const out = [...block];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.prng.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    if (out.every((f, i) => f === block[i])) out.reverse();
    return out;
  }
}
