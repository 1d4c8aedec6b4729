/**
 * The one seeded PRNG of the program (mulberry32): the machines' restart and reconnect jitter and
 * the simulator's markets. The same seed gives the same values, run after run.
 *
 * `nextRandom` is the pure step, whose whole state is one number: machines keep it in their context
 * and stay pure and replayable. `Prng` is the same generator as a stream, for the simulator.
 */
export function nextRandom(seed: number): { value: number; seed: number } {
  const next = advance(seed);
  return { value: draw(next), seed: next };
}

/** The state after one step. */
function advance(state: number): number {
  return (state + 0x6d2b79f5) | 0;
}

/** The value of an advanced state, uniform in [0, 1). */
function draw(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The same generator as a stream: one state, advanced by each draw. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    // the simulator draws several values per generated trade: no object per draw
    this.state = advance(this.state);
    return draw(this.state);
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** an independent stream derived from this one (one per venue, so venues do not perturb each other) */
  fork(salt: number): Prng {
    return new Prng((this.int(0x100000000) ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }

  /** a UUID-shaped string (Bybit trade ids), deterministic for the seed */
  uuid(): string {
    const hex = (n: number) => this.int(0x100000000).toString(16).padStart(8, '0').slice(0, n);
    return `${hex(8)}-${hex(4)}-5${hex(3)}-${(8 + this.int(4)).toString(16)}${hex(3)}-${hex(8)}${hex(4)}`;
  }
}
