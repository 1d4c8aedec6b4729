/** mulberry32: a tiny seeded generator so property-style tests are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `count` distinct unified symbols like `C17/USDT`, drawn from a larger pool. */
export function randomSymbols(random: () => number, count: number, pool = count * 3 + 10): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(`C${randomInt(random, 0, pool - 1)}/USDT`);
  return [...chosen];
}
