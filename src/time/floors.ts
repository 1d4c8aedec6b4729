/**
 * Floors: per key, the earliest time something is still held back (a window not yet published, a
 * hole not yet filled). Several sources lower one map; the lowest wins.
 */

/** lowers `floors[key]` to `at` (sets it when absent) */
export function lowerFloor<K>(floors: Map<K, number>, key: K, at: number): void {
  const had = floors.get(key);
  if (had === undefined || at < had) floors.set(key, at);
}
