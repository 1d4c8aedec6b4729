/**
 * Splits a market's symbols into connector groups (one WebSocket each) (docs/architecture.md#supervision-tree).
 *
 * Pure. A group's index is a connector's identity, so a re-plan must not move a symbol that
 * is still listed: moving it means an unsubscribe on one socket and a subscribe on another,
 * with a window in which its trades are nobody's. Balance is therefore only pursued when a
 * symbol has to be placed anyway (first plan, new listing, or a group over a lowered limit).
 */
import { GroupingInputError } from './errors.js';
import { groupCapacity } from './group-capacity.js';

export interface PlanGroupsInput {
  /** unified symbols to collect */
  symbols: readonly string[];
  /** channels subscribed per symbol, e.g. 2 for trade + ticker */
  channelsPerSymbol: number;
  maxStreamsPerConnection: number;
  /** configured tuning point (`groupSize`); capped by the stream limit */
  groupSize: number;
  /** expected messages per second for a symbol; 1 for each when absent */
  expectedRate?: (symbol: string) => number;
  /** the current groups, by index */
  previous?: readonly (readonly string[])[];
}

export interface GroupDiff {
  added: string[];
  removed: string[];
}

interface Group {
  members: string[];
  load: number;
}

function checkedSymbols(symbols: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (const symbol of symbols) {
    if (typeof symbol !== 'string' || symbol === '') {
      throw new GroupingInputError(`symbols must be non-empty strings, got ${JSON.stringify(symbol)}`);
    }
    if (set.has(symbol)) throw new GroupingInputError(`symbol ${symbol} is listed twice`);
    set.add(symbol);
  }
  return set;
}

function ratesOf(symbols: Iterable<string>, expectedRate?: (symbol: string) => number): Map<string, number> {
  const rates = new Map<string, number>();
  for (const symbol of symbols) {
    const rate = expectedRate ? expectedRate(symbol) : 1;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      throw new GroupingInputError(`expectedRate(${symbol}) must be a finite number >= 0, got ${String(rate)}`);
    }
    rates.set(symbol, rate);
  }
  return rates;
}

/**
 * The previous groups with delisted symbols removed; symbols beyond a (lowered) capacity are
 * taken off the tail of their group and returned to be placed again.
 */
function keepPrevious(
  previous: readonly (readonly string[])[],
  wanted: ReadonlySet<string>,
  capacity: number,
  rates: ReadonlyMap<string, number>,
): { groups: Group[]; placed: Set<string> } {
  const placed = new Set<string>();
  const seen = new Set<string>();
  const groups = previous.map((old) => {
    const group: Group = { members: [], load: 0 };
    for (const symbol of old) {
      if (seen.has(symbol)) throw new GroupingInputError(`previous groups hold ${symbol} twice`);
      seen.add(symbol);
      if (!wanted.has(symbol) || group.members.length >= capacity) continue;
      group.members.push(symbol);
      group.load += rates.get(symbol) ?? 0;
      placed.add(symbol);
    }
    return group;
  });
  return { groups, placed };
}

/** Least expected load first; then fewer members; then the lower index (deterministic). */
function leastLoadedWithRoom(groups: readonly Group[], capacity: number): Group | undefined {
  let best: Group | undefined;
  for (const group of groups) {
    if (group.members.length >= capacity) continue;
    if (
      best === undefined ||
      group.load < best.load ||
      (group.load === best.load && group.members.length < best.members.length)
    ) {
      best = group;
    }
  }
  return best;
}

export function planGroups(input: PlanGroupsInput): string[][] {
  const capacity = groupCapacity(input);
  const wanted = checkedSymbols(input.symbols);
  const rates = ratesOf(wanted, input.expectedRate);
  const { groups, placed } = keepPrevious(input.previous ?? [], wanted, capacity, rates);

  // Busiest first, so each lands where the load is lowest (greedy longest-processing-time).
  const toPlace = [...wanted]
    .filter((symbol) => !placed.has(symbol))
    .sort((a, b) => (rates.get(b) ?? 0) - (rates.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));

  // Open every new group before placing, so newcomers spread over them instead of filling one.
  const room = groups.reduce((sum, group) => sum + (capacity - group.members.length), 0);
  const newGroups = Math.max(0, Math.ceil((toPlace.length - room) / capacity));
  for (let i = 0; i < newGroups; i++) groups.push({ members: [], load: 0 });

  for (const symbol of toPlace) {
    const group = leastLoadedWithRoom(groups, capacity);
    // Unreachable by construction (enough groups were opened above); kept as a loud guard.
    if (group === undefined) throw new Error(`no group has room for ${symbol}`);
    group.members.push(symbol);
    group.load += rates.get(symbol) ?? 0;
  }

  // Empty groups keep their index (their connector is stopped) unless nothing follows them.
  while (groups.length > 0 && groups[groups.length - 1]!.members.length === 0) groups.pop();
  return groups.map((group) => group.members);
}

/** Per group index, the symbols to subscribe (added) and unsubscribe (removed) on that connector. */
export function diffGroups(
  previous: readonly (readonly string[])[],
  next: readonly (readonly string[])[],
): GroupDiff[] {
  const length = Math.max(previous.length, next.length);
  const diffs: GroupDiff[] = [];
  for (let i = 0; i < length; i++) {
    const before = previous[i] ?? [];
    const after = next[i] ?? [];
    const beforeSet = new Set(before);
    const afterSet = new Set(after);
    diffs.push({
      added: after.filter((symbol) => !beforeSet.has(symbol)),
      removed: before.filter((symbol) => !afterSet.has(symbol)),
    });
  }
  return diffs;
}
