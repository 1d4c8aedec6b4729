/** tickvisor / peer for each burst figure, two decimals; null where either side has no figure. */
import type { BurstResult } from './lib/burst-meter.js';

export interface Ratios {
  tradesPerSec: number | null;
  cpuSecPerMillion: number | null;
  deliveredPct: number | null;
}

export function ratios(tv: BurstResult | undefined, peer: BurstResult | undefined): Ratios {
  const r = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100;
  return {
    tradesPerSec: r(tv?.tradesPerSec, peer?.tradesPerSec),
    cpuSecPerMillion: r(tv?.cpuSecPerMillion, peer?.cpuSecPerMillion),
    deliveredPct: r(tv?.deliveredPct, peer?.deliveredPct),
  };
}
