import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diffGroups, planGroups, type PlanGroupsInput } from '../../src/grouping/group-symbols.js';
import { groupCapacity } from '../../src/grouping/group-capacity.js';
import { randomInt, randomSymbols, seededRandom } from './seeded-random.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);

function randomInput(seed: number): PlanGroupsInput & { rates: Map<string, number> } {
  const random = seededRandom(seed);
  const symbols = randomSymbols(random, randomInt(random, 0, 250));
  const channelsPerSymbol = randomInt(random, 1, 3);
  const maxStreamsPerConnection = randomInt(random, channelsPerSymbol, 120);
  const groupSize = randomInt(random, 1, 60);
  // Heavy-tailed rates, like real markets: a few very busy symbols, many quiet ones.
  const rates = new Map(symbols.map((s) => [s, Math.round(1000 * random() ** 6 * 100) / 100]));
  return {
    symbols,
    channelsPerSymbol,
    maxStreamsPerConnection,
    groupSize,
    expectedRate: (s) => rates.get(s) ?? 0,
    rates,
  };
}

function groupIndexOf(groups: readonly (readonly string[])[]): Map<string, number> {
  const index = new Map<string, number>();
  groups.forEach((group, i) => group.forEach((s) => index.set(s, i)));
  return index;
}

function assertInvariants(input: PlanGroupsInput, groups: string[][]): void {
  const capacity = groupCapacity(input);
  const all = groups.flat();
  assert.equal(all.length, new Set(all).size, 'a symbol appears in more than one place');
  assert.deepEqual([...all].sort(), [...input.symbols].sort(), 'every symbol is in exactly one group');
  for (const group of groups) assert.ok(group.length <= capacity, `group of ${group.length} over capacity ${capacity}`);
  if (groups.length > 0) assert.ok(groups[groups.length - 1]!.length > 0, 'no trailing empty group');
}

function loadOf(group: readonly string[], rate: (s: string) => number): number {
  return group.reduce((sum, s) => sum + rate(s), 0);
}

describe('planGroups on a fresh market (no previous groups)', () => {
  test('puts every symbol in exactly one group, none over the capacity, for seeded random markets', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed);
      const groups = planGroups(input);
      assertInvariants(input, groups);
      const capacity = groupCapacity(input);
      assert.equal(groups.length, Math.ceil(input.symbols.length / capacity), `seed ${seed}: minimal group count`);
      assert.ok(groups.every((g) => g.length > 0), `seed ${seed}: no empty group on a fresh plan`);
    }
  });

  test('sends the N busiest symbols to N different groups when N is at most the group count', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed);
      // distinct rates so "the N busiest" is well defined
      const rate = (s: string) => (input.rates.get(s) ?? 0) + input.symbols.indexOf(s) * 1e-6;
      const groups = planGroups({ ...input, expectedRate: rate });
      const index = groupIndexOf(groups);
      const busiest = [...input.symbols].sort((a, b) => rate(b) - rate(a)).slice(0, groups.length);
      const homes = new Set(busiest.map((s) => index.get(s)));
      assert.equal(homes.size, busiest.length, `seed ${seed}: busiest symbols share a connection`);
    }
  });

  test('with equal rates, group sizes differ by at most one', () => {
    for (const seed of SEEDS) {
      const { expectedRate: _ignored, rates: _r, ...input } = randomInput(seed);
      const sizes = planGroups(input).map((g) => g.length);
      if (sizes.length === 0) continue;
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `seed ${seed}: sizes ${sizes.join(',')}`);
    }
  });

  test('balances load better than cutting the list in order', () => {
    const symbols = Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(2, '0')}/USDT`);
    const rate = (s: string) => (s < 'S10' ? 100 : 1); // the first ten are the busy ones
    const groups = planGroups({ symbols, channelsPerSymbol: 2, maxStreamsPerConnection: 1024, groupSize: 10, expectedRate: rate });
    const loads = groups.map((g) => loadOf(g, rate));
    // Cutting the list in order gives [1000, 10, 10, 10]. With 4 groups of at most 10, the ten busy
    // symbols must split 3/3/2/2, leaving exactly 7 + 7 + 8 + 8 seats for the 30 quiet ones:
    // [307, 307, 208, 208] is the best any plan can do here.
    assert.deepEqual(loads, [307, 307, 208, 208]);
  });

  test('does not depend on the order the symbols are listed in', () => {
    const input = randomInput(7);
    const reversed = { ...input, symbols: [...input.symbols].reverse() };
    assert.deepEqual(planGroups(reversed), planGroups(input));
  });
});

describe('planGroups keeps connector identities stable across re-plans', () => {
  test('one new listing moves no existing symbol and joins a least-loaded group with room', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed);
      const before = planGroups(input);
      const listing = 'NEWLY/LISTED';
      const rate = (s: string) => (s === listing ? 5 : input.expectedRate!(s));
      const after = planGroups({ ...input, symbols: [...input.symbols, listing], expectedRate: rate, previous: before });
      assertInvariants({ ...input, symbols: [...input.symbols, listing] }, after);
      const diff = diffGroups(before, after);
      const moved = diff.flatMap((d) => d.removed);
      assert.deepEqual(moved, [], `seed ${seed}: an existing symbol moved`);
      assert.deepEqual(diff.flatMap((d) => d.added), [listing]);
      const capacity = groupCapacity(input);
      const target = after.findIndex((g) => g.includes(listing));
      if (target < before.length) {
        const withRoom = before.filter((g) => g.length < capacity).map((g) => loadOf(g, rate));
        assert.equal(loadOf(before[target]!, rate), Math.min(...withRoom), `seed ${seed}: not the least-loaded group`);
      } else {
        assert.ok(before.every((g) => g.length >= capacity), `seed ${seed}: new group opened while others had room`);
        assert.equal(target, before.length, 'a new group is appended, not inserted');
      }
    }
  });

  test('one delisting removes only that symbol and moves no other', () => {
    for (const seed of SEEDS) {
      const input = randomInput(seed);
      if (input.symbols.length === 0) continue;
      const before = planGroups(input);
      const gone = input.symbols[randomInt(seededRandom(seed), 0, input.symbols.length - 1)]!;
      const symbols = input.symbols.filter((s) => s !== gone);
      const after = planGroups({ ...input, symbols, previous: before });
      assertInvariants({ ...input, symbols }, after);
      const diff = diffGroups(before, after);
      assert.deepEqual(diff.flatMap((d) => d.added), [], `seed ${seed}: something was added`);
      assert.deepEqual(diff.flatMap((d) => d.removed), [gone], `seed ${seed}: only the delisted symbol leaves`);
    }
  });

  test('under random listing churn, a symbol that stays listed never changes group', () => {
    for (const seed of SEEDS.slice(0, 15)) {
      const random = seededRandom(seed);
      const input = randomInput(seed);
      let symbols = input.symbols;
      let groups = planGroups(input);
      const home = groupIndexOf(groups);
      for (let round = 0; round < 25; round++) {
        const kept = symbols.filter(() => random() > 0.1);
        const fresh = randomSymbols(random, randomInt(random, 0, 20), 2000).map((s) => `R${round}${s}`);
        symbols = [...kept, ...fresh];
        groups = planGroups({ ...input, symbols, expectedRate: () => 1 + random() * 10, previous: groups });
        assertInvariants({ ...input, symbols }, groups);
        for (const [symbol, index] of groupIndexOf(groups)) {
          const was = home.get(symbol);
          if (was !== undefined) assert.equal(index, was, `seed ${seed} round ${round}: ${symbol} moved`);
          home.set(symbol, index);
        }
      }
    }
  });

  test('a group emptied by delistings keeps its index as [] while later groups exist', () => {
    const base = { channelsPerSymbol: 1, maxStreamsPerConnection: 100, groupSize: 2 };
    const previous = [['A/USDT', 'B/USDT'], ['C/USDT', 'D/USDT'], ['E/USDT']];
    const after = planGroups({ ...base, symbols: ['A/USDT', 'B/USDT', 'E/USDT'], previous });
    assert.deepEqual(after, [['A/USDT', 'B/USDT'], [], ['E/USDT']]);
  });

  test('trailing empty groups are dropped', () => {
    const base = { channelsPerSymbol: 1, maxStreamsPerConnection: 100, groupSize: 2 };
    const previous = [['A/USDT'], ['C/USDT'], ['E/USDT']];
    assert.deepEqual(planGroups({ ...base, symbols: ['A/USDT'], previous }), [['A/USDT']]);
    assert.deepEqual(planGroups({ ...base, symbols: [], previous }), []);
  });

  test('a new listing fills an emptied group before a new one is opened', () => {
    const base = { channelsPerSymbol: 1, maxStreamsPerConnection: 100, groupSize: 2 };
    const previous = [['A/USDT', 'B/USDT'], [], ['E/USDT', 'F/USDT']];
    const after = planGroups({ ...base, symbols: ['A/USDT', 'B/USDT', 'E/USDT', 'F/USDT', 'N/USDT'], previous });
    assert.deepEqual(after, [['A/USDT', 'B/USDT'], ['N/USDT'], ['E/USDT', 'F/USDT']]);
  });

  test('many new listings spread over the groups opened for them', () => {
    const base = { channelsPerSymbol: 1, maxStreamsPerConnection: 100, groupSize: 3 };
    const previous = [['A/USDT', 'B/USDT', 'C/USDT']];
    const fresh = ['N1/USDT', 'N2/USDT', 'N3/USDT', 'N4/USDT'];
    const rate = (s: string) => (s === 'N1/USDT' || s === 'N2/USDT' ? 50 : 1);
    const after = planGroups({ ...base, symbols: [...previous[0]!, ...fresh], expectedRate: rate, previous });
    assert.deepEqual(after[0], previous[0]);
    assert.equal(after.length, 3);
    assert.notEqual(groupIndexOf(after).get('N1/USDT'), groupIndexOf(after).get('N2/USDT'));
  });

  test('when the limit is lowered, only the overflow of a group moves, into appended groups', () => {
    const previous = [['A/USDT', 'B/USDT', 'C/USDT', 'D/USDT'], ['E/USDT']];
    const symbols = previous.flat();
    const after = planGroups({ symbols, channelsPerSymbol: 1, maxStreamsPerConnection: 100, groupSize: 2, previous });
    assert.deepEqual(after, [['A/USDT', 'B/USDT'], ['E/USDT', 'D/USDT'], ['C/USDT']]);
  });
});

describe('planGroups edge cases and invalid input', () => {
  const base = { channelsPerSymbol: 2, maxStreamsPerConnection: 1024, groupSize: 50 };

  test('no symbols gives no groups', () => {
    assert.deepEqual(planGroups({ ...base, symbols: [] }), []);
  });

  test('group size 1 gives one symbol per connector', () => {
    const groups = planGroups({ ...base, groupSize: 1, symbols: ['A/USDT', 'B/USDT', 'C/USDT'] });
    assert.deepEqual(groups.map((g) => g.length), [1, 1, 1]);
  });

  test('a stream limit smaller than groupSize × channels caps the group', () => {
    // 3 channels in a 10-stream connection: 3 symbols (9 streams) fit, a 4th would need 12.
    const symbols = Array.from({ length: 10 }, (_, i) => `X${i}/USDT`);
    const input = { symbols, channelsPerSymbol: 3, maxStreamsPerConnection: 10, groupSize: 50 };
    assert.equal(groupCapacity(input), 3);
    const groups = planGroups(input);
    assert.equal(groups.length, 4);
    assert.deepEqual(groups.map((g) => g.length).sort(), [2, 2, 3, 3]);
  });

  const invalid: [string, Partial<PlanGroupsInput>][] = [
    ['groupSize 0', { groupSize: 0 }],
    ['fractional groupSize', { groupSize: 2.5 }],
    ['NaN channels', { channelsPerSymbol: Number.NaN }],
    ['zero channels', { channelsPerSymbol: 0 }],
    ['negative stream limit', { maxStreamsPerConnection: -1 }],
    ['stream limit below one symbol', { channelsPerSymbol: 3, maxStreamsPerConnection: 2 }],
    ['a duplicated symbol', { symbols: ['A/USDT', 'A/USDT'] }],
    ['an empty symbol', { symbols: [''] }],
    ['a negative rate', { expectedRate: () => -1 }],
    ['a NaN rate', { expectedRate: () => Number.NaN }],
    ['a symbol twice in previous groups', { previous: [['A/USDT'], ['A/USDT']] }],
  ];
  for (const [name, patch] of invalid) {
    test(`rejects ${name} with a coded RangeError`, () => {
      assert.throws(
        () => planGroups({ ...base, symbols: ['A/USDT', 'B/USDT'], ...patch }),
        (err: unknown) => err instanceof RangeError && (err as { code?: string }).code === 'TV_ERR_GROUPING_INVALID',
      );
    });
  }
});

describe('diffGroups', () => {
  test('lists per index what to subscribe and unsubscribe, including appended and dropped groups', () => {
    const previous = [['A', 'B'], ['C'], ['D']];
    const next = [['A', 'N'], ['C'], [], ['M']];
    assert.deepEqual(diffGroups(previous, next), [
      { added: ['N'], removed: ['B'] },
      { added: [], removed: [] },
      { added: [], removed: ['D'] },
      { added: ['M'], removed: [] },
    ]);
  });

  test('reports a dropped trailing group as all removed', () => {
    assert.deepEqual(diffGroups([['A'], ['B']], [['A']]), [
      { added: [], removed: [] },
      { added: [], removed: ['B'] },
    ]);
  });
});
