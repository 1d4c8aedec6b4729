/**
 * `tickvisor export`: a store of several venues and symbols (numeric and string ids, fractional
 * prices, tickers with and without their optional fields) exported as Parquet, CSV and JSON lines
 * and read back by DuckDB, an engine that shares no code with the writer: counts, sums, time
 * bounds, the first and last rows and every row must be the store's. DuckDB's native binding must
 * load: if it does not, these tests fail (they never skip), so CI cannot pass without reading back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { exportHistory } from '../../src/analysis/export/index.js';
import { main } from '../../src/cli/main.js';
import type { ExchangeId, Market, MarketRecord, Ticker, Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import type { RangeQuery } from '../../src/store/types.js';

/** the real command in its own process: exit code and stderr as a user sees them */
function spawnCli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'export', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** the same main() in this process (a process start costs seconds here): its exit code and what it said on stderr */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  const said: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    said.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(['export', ...args]), stderr: said.join('') };
  } finally {
    process.stderr.write = write;
  }
}

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

interface Venue { exchange: ExchangeId; market: Market; symbol: string; n: number; id: (i: number) => string; price: (i: number) => number }

// the order the export promises: by exchange, then market, then symbol (written out here, not sorted by the code under test)
const VENUES: Venue[] = [
  { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', n: 300, id: (i) => String(4_100_000_000 + i), price: (i) => 26_150.37 + (i % 17) * 0.01 },
  { exchange: 'binance', market: 'spot', symbol: 'ETH/USDT', n: 150, id: (i) => String(900_000 + i), price: (i) => 1_650.123 + (i % 5) * 0.1 },
  { exchange: 'bybit', market: 'spot', symbol: 'BTC/USDT', n: 120, id: (i) => `2290000000${String(i).padStart(3, '0')}-a1b2-4c3d-9e8f-${String(i).padStart(12, '0')}`, price: (i) => 26_151.5 - (i % 3) * 0.25 },
  { exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', n: 50, id: (i) => String(700_000_000 + i), price: (i) => 26_140.1 + i * 0.1 },
  // 17-digit ids, beyond 2^53: must stay exact strings
  { exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', n: 80, id: (i) => String(17_093_456_789_012_345n + BigInt(i)), price: (i) => 36_000_000 + i * 1_000 },
];

function tradesOf(v: Venue): Trade[] {
  return Array.from({ length: v.n }, (_, i) => ({
    type: 'trade' as const,
    exchange: v.exchange,
    market: v.market,
    symbol: v.symbol,
    id: v.id(i),
    price: v.price(i),
    amount: Math.round((0.0001 + (i % 13) * 0.00137) * 1e8) / 1e8,
    side: i % 3 === 0 ? ('sell' as const) : ('buy' as const),
    // some trades share a timestamp (ordered by id then)
    timestamp: T0 + Math.floor(i / 2) * 250,
    localTimestamp: T0 + Math.floor(i / 2) * 250 + 7,
  }));
}

const TICKERS: Ticker[] = Array.from({ length: 40 }, (_, i) => ({
  type: 'ticker' as const,
  exchange: 'binance' as const,
  market: 'spot' as const,
  symbol: 'BTC/USDT',
  timestamp: T0 + i * 1_000,
  localTimestamp: T0 + i * 1_000 + 4,
  last: 26_150 + i * 0.5,
  // every other ticker without its book fields: absent, never zero
  ...(i % 2 === 0 ? { bid: 26_149.9 + i * 0.5, ask: 26_150.1 + i * 0.5, bidSize: 1.25, askSize: 0.75 } : {}),
  high24h: 27_000,
  low24h: 25_000.5,
  volume24h: 12_345.678,
  quoteVolume24h: 322_000_000.25,
}));

let db: string;
let work: string;
let duck: DuckDBConnection;
/** what the store hands back, in the promised file order */
let expected: Trade[] = [];
let expectedTickers: Ticker[] = [];

async function readAll(store: ReturnType<typeof openHistoryStore>, q: RangeQuery): Promise<MarketRecord[]> {
  const out: MarketRecord[] = [];
  for await (const r of store.readRange(q)) out.push(r);
  return out;
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await duck.runAndReadAll(sql);
  return reader.getRowObjects().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

const quote = (path: string) => `'${path.replace(/'/g, "''")}'`;

// Parquet times are TIMESTAMP WITH TIME ZONE in DuckDB (back to ms with epoch_ms); CSV and JSON lines hold ms as numbers
const PARQUET_SELECT = `exchange, market, symbol, id, epoch_ms(timestamp)::BIGINT AS timestamp, epoch_ms(localTimestamp)::BIGINT AS localTimestamp, price, amount, side`;
const TEXT_SELECT = `exchange, market, symbol, id, timestamp, localTimestamp, price, amount, side`;
const CSV_TRADE_COLUMNS = `{'exchange': 'VARCHAR', 'market': 'VARCHAR', 'symbol': 'VARCHAR', 'id': 'VARCHAR', 'timestamp': 'BIGINT', 'localTimestamp': 'BIGINT', 'price': 'DOUBLE', 'amount': 'DOUBLE', 'side': 'VARCHAR'}`;

function asRow(t: Trade): Record<string, unknown> {
  return { exchange: t.exchange, market: t.market, symbol: t.symbol, id: t.id, timestamp: t.timestamp, localTimestamp: t.localTimestamp, price: t.price, amount: t.amount, side: t.side };
}

function near(actual: unknown, want: number, what: string): void {
  assert.equal(typeof actual, 'number', what);
  assert.ok(Math.abs((actual as number) - want) <= Math.abs(want) * 1e-12, `${what}: ${actual} vs ${want}`);
}

/** count, sums, time bounds, first and last row, then every row, of a file DuckDB reads as `source` */
async function assertSameTrades(source: string, want: Trade[], ordered: string): Promise<void> {
  const TRADE_SELECT = source.startsWith('read_parquet') ? PARQUET_SELECT : TEXT_SELECT;
  const [agg] = await rows(`SELECT count(*)::BIGINT AS n, sum(price) AS sp, sum(amount) AS sa, min(timestamp) AS mn, max(timestamp) AS mx FROM (SELECT ${TRADE_SELECT} FROM ${source})`);
  assert.equal(agg!.n, want.length);
  near(agg!.sp, want.reduce((s, t) => s + t.price, 0), 'sum(price)');
  near(agg!.sa, want.reduce((s, t) => s + t.amount, 0), 'sum(amount)');
  assert.equal(agg!.mn, Math.min(...want.map((t) => t.timestamp)));
  assert.equal(agg!.mx, Math.max(...want.map((t) => t.timestamp)));
  const all = await rows(`SELECT ${TRADE_SELECT} FROM ${source} ORDER BY ${ordered}`);
  assert.deepEqual(all[0], asRow(want[0]!), 'first row');
  assert.deepEqual(all.at(-1), asRow(want.at(-1)!), 'last row');
  assert.deepEqual(all, want.map(asRow), 'every row, in order');
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'tv-export-'));
  db = join(work, 'db');
  const store = openHistoryStore({ path: db, noSync: true });
  // written shuffled across venues: the file order must come from the export, not the write order
  for (const v of [...VENUES].reverse()) await store.writeBatch(tradesOf(v));
  await store.writeBatch(TICKERS);
  for (const v of VENUES) expected.push(...((await readAll(store, { exchange: v.exchange, market: v.market, symbol: v.symbol, type: 'trade' })) as Trade[]));
  expectedTickers = (await readAll(store, { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', type: 'ticker' })) as Ticker[];
  await store.close();
  assert.equal(expected.length, VENUES.reduce((s, v) => s + v.n, 0));
  // fails the suite (not a skip) when the native binding does not load
  const instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});

after(() => {
  duck?.closeSync();
  rmSync(work, { recursive: true, force: true });
});

describe('tickvisor export, read back by DuckDB', () => {
  test('Parquet: every trade of every symbol, the store order kept, types as documented', async () => {
    const out = join(work, 'trades.parquet');
    const r = spawnCli('--db', db, '--format', 'parquet', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const size = statSync(out).size;
    assert.equal(r.stderr.trim(), `tickvisor export: ${expected.length} trades of ${VENUES.length} symbols written to ${out} (${size} bytes)`);
    await assertSameTrades(`read_parquet(${quote(out)}, file_row_number = true)`, expected, 'file_row_number');
    const types = Object.fromEntries((await rows(`SELECT name, type, logical_type::VARCHAR AS logical FROM parquet_schema(${quote(out)})`)).map((c) => [c.name, `${c.type} ${c.logical ?? ''}`.trim()]));
    assert.match(String(types.price), /^DOUBLE/);
    assert.match(String(types.amount), /^DOUBLE/);
    assert.match(String(types.timestamp), /^INT64 .*TimestampType.*isAdjustedToUTC=1.*MILLIS/i);
    assert.match(String(types.id), /^BYTE_ARRAY .*String/i);
    const encodings = Object.fromEntries((await rows(`SELECT path_in_schema AS name, any_value(encodings) AS enc FROM parquet_metadata(${quote(out)}) GROUP BY 1`)).map((c) => [c.name, c.enc]));
    assert.match(String(encodings.timestamp), /DELTA_BINARY_PACKED/);
    assert.match(String(encodings.symbol), /DICTIONARY/);
    const [kinds] = await rows(`SELECT typeof(timestamp) AS ts, typeof(price) AS price, typeof(id) AS id FROM read_parquet(${quote(out)}) LIMIT 1`);
    assert.deepEqual(kinds, { ts: 'TIMESTAMP WITH TIME ZONE', price: 'DOUBLE', id: 'VARCHAR' });
  });

  test('CSV: a header and the same rows, ids kept as text (17 digits exact)', async () => {
    const out = join(work, 'trades.csv');
    const r = await cli('--db', db, '--format', 'csv', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8').split('\n')[0], 'exchange,market,symbol,id,timestamp,localTimestamp,price,amount,side');
    const source = `(SELECT *, row_number() OVER () AS line FROM read_csv(${quote(out)}, header = true, columns = ${CSV_TRADE_COLUMNS}))`;
    await assertSameTrades(source, expected, 'line');
  });

  test('JSON lines: the same rows', async () => {
    const out = join(work, 'trades.jsonl');
    const r = await cli('--db', db, '--format', 'jsonl', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines, expected.map(asRow));
    const source = `(SELECT *, row_number() OVER () AS line FROM read_json(${quote(out)}, format = 'newline_delimited', columns = ${CSV_TRADE_COLUMNS}))`;
    await assertSameTrades(source, expected, 'line');
  });

  test('--exchange, --market, --symbol (repeatable) and --from/--to narrow the export', async () => {
    const out = join(work, 'narrow.parquet');
    const from = T0 + 5_000;
    const to = T0 + 20_000;
    const r = await cli('--db', db, '--format', 'parquet', '--out', out, '--symbol', 'BTC/USDT', '--symbol', 'BTC/KRW', '--from', String(from), '--to', new Date(to).toISOString());
    assert.equal(r.code, 0, r.stderr);
    const want = expected.filter((t) => (t.symbol === 'BTC/USDT' || t.symbol === 'BTC/KRW') && t.timestamp >= from && t.timestamp <= to);
    assert.ok(want.length > 10 && want.some((t) => t.exchange === 'bybit') && want.some((t) => t.exchange === 'upbit'));
    await assertSameTrades(`read_parquet(${quote(out)}, file_row_number = true)`, want, 'file_row_number');

    const one = join(work, 'one.csv');
    assert.equal((await cli('--db', db, '--format', 'csv', '--out', one, '--exchange', 'binance', '--market', 'spot')).code, 0);
    const [n] = await rows(`SELECT count(*)::BIGINT AS n, count(DISTINCT symbol)::BIGINT AS s FROM read_csv(${quote(one)}, header = true, columns = ${CSV_TRADE_COLUMNS})`);
    assert.deepEqual(n, { n: 450, s: 2 });
  });

  test('--type ticker: ticker columns; a field the venue did not send is NULL in Parquet, empty in CSV', async () => {
    const out = join(work, 'tickers.parquet');
    const r = await cli('--db', db, '--format', 'parquet', '--out', out, '--type', 'ticker', '--exchange', 'binance', '--market', 'spot', '--symbol', 'BTC/USDT');
    assert.equal(r.code, 0, r.stderr);
    const got = await rows(`SELECT exchange, market, symbol, epoch_ms(timestamp)::BIGINT AS timestamp, epoch_ms(localTimestamp)::BIGINT AS localTimestamp, last, bid, ask, bidSize, askSize, high24h, low24h, volume24h, quoteVolume24h FROM read_parquet(${quote(out)}, file_row_number = true) ORDER BY file_row_number`);
    const want = expectedTickers.map((t) => ({
      exchange: t.exchange, market: t.market, symbol: t.symbol, timestamp: t.timestamp, localTimestamp: t.localTimestamp, last: t.last,
      bid: t.bid ?? null, ask: t.ask ?? null, bidSize: t.bidSize ?? null, askSize: t.askSize ?? null,
      high24h: t.high24h ?? null, low24h: t.low24h ?? null, volume24h: t.volume24h ?? null, quoteVolume24h: t.quoteVolume24h ?? null,
    }));
    assert.equal(want.length, 40);
    assert.deepEqual(got, want);
    const csv = join(work, 'tickers.csv');
    assert.equal((await cli('--db', db, '--format', 'csv', '--out', csv, '--type', 'ticker')).code, 0);
    const [line1, line2] = readFileSync(csv, 'utf8').split('\n').slice(1);
    assert.match(line1!, /^binance,spot,BTC\/USDT,\d+,\d+,26150,26149\.9,26150\.1,1\.25,0\.75,27000,/);
    assert.match(line2!, /^binance,spot,BTC\/USDT,\d+,\d+,26150\.5,,,,,27000,/);
  });

  test('many row groups of a bounded size read back the same', async () => {
    const out = join(work, 'groups.parquet');
    const store = openHistoryStore({ path: db, readOnly: true });
    try {
      const result = await exportHistory(store, { type: 'trade' }, { format: 'parquet', out, rowGroupSize: 64 });
      assert.equal(result.rows, expected.length);
    } finally {
      await store.close();
    }
    const [meta] = await rows(`SELECT count(DISTINCT row_group_id)::BIGINT AS groups, max(row_group_num_rows)::BIGINT AS biggest FROM parquet_metadata(${quote(out)})`);
    assert.deepEqual(meta, { groups: Math.ceil(expected.length / 64), biggest: 64 });
    await assertSameTrades(`read_parquet(${quote(out)}, file_row_number = true)`, expected, 'file_row_number');
  });
});

describe('tickvisor export refuses bad input in one line', () => {
  const bad: Array<[string, string[], RegExp]> = [
    ['no --db', ['--format', 'csv', '--out', 'x.csv'], /--db is required/],
    ['no --format', ['--db', 'DB', '--out', 'x.csv'], /--format is required/],
    ['no --out', ['--db', 'DB', '--format', 'csv'], /--out is required/],
    ['an unknown format', ['--db', 'DB', '--format', 'xlsx', '--out', 'x.xlsx'], /--format must be parquet, csv, jsonl, got xlsx/],
    ['an unknown type', ['--db', 'DB', '--format', 'csv', '--out', 'x.csv', '--type', 'book'], /--type must be trade or ticker/],
    ['an unknown exchange', ['--db', 'DB', '--format', 'csv', '--out', 'x.csv', '--exchange', 'kraken'], /unknown exchange: kraken/],
    ['a bad time', ['--db', 'DB', '--format', 'csv', '--out', 'x.csv', '--from', 'yesterday'], /--from is not a time/],
    ['an unknown option', ['--db', 'DB', '--format', 'csv', '--out', 'x.csv', '--bogus'], /Unknown option '--bogus'/],
    ['a store that does not exist', ['--db', '/nonexistent/tv-store', '--format', 'csv', '--out', 'x.csv'], /no store at \/nonexistent\/tv-store/],
  ];
  for (const [what, args, message] of bad) {
    test(what, async () => {
      const r = await cli(...args.map((a) => (a === 'DB' ? db : a === 'x.csv' || a === 'x.xlsx' ? join(work, a) : a)));
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  test('an output folder that does not exist, or a folder as the file: one line, nothing written', async () => {
    const missing = join(work, 'no-such-dir', 'x.parquet');
    const r = await cli('--db', db, '--format', 'parquet', '--out', missing);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), `tickvisor export: cannot write ${missing}: its folder does not exist`);
    const folder = join(work, 'a-folder');
    mkdirSync(folder);
    const d = await cli('--db', db, '--format', 'csv', '--out', folder);
    assert.equal(d.code, 2);
    assert.equal(d.stderr.trim(), `tickvisor export: cannot write ${folder}: it is a directory`);
    assert.deepEqual(readdirSync(folder), []);
  });

  test('nothing matched: said so, exit as query (0), and no file', async () => {
    const out = join(work, 'empty.parquet');
    const r = await cli('--db', db, '--format', 'parquet', '--out', out, '--exchange', 'okx', '--market', 'spot');
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^tickvisor export: no stored symbol matched; nothing written/);
    assert.equal(existsSync(out), false);
    const late = await cli('--db', db, '--format', 'csv', '--out', out, '--from', String(T0 + 86_400_000));
    assert.match(late.stderr, /no trades in the range asked for 5 symbols; nothing written/);
    assert.equal(existsSync(out), false);
  });
});

describe('a failure part way leaves no half file', () => {
  for (const format of ['parquet', 'csv', 'jsonl'] as const) {
    test(`${format}: the read fails after some row groups; the old target stays as it was and no temporary file is left`, async () => {
      const dir = mkdtempSync(join(work, `fail-${format}-`));
      const out = join(dir, `out.${format}`);
      writeFileSync(out, 'the previous export');
      const store = {
        listCursors: () => [{ exchange: 'binance' as const, market: 'spot' as const, symbol: 'BTC/USDT', lastTradeId: '1', lastTimestamp: T0, count: 1 }],
        readRange: () =>
          (async function* () {
            for (let i = 0; i < 100; i++) yield tradesOf(VENUES[0]!)[i % 300]!;
            throw new Error('disk read failed');
          })(),
      };
      await assert.rejects(exportHistory(store, { type: 'trade' }, { format, out, rowGroupSize: 16 }), /disk read failed/);
      assert.equal(readFileSync(out, 'utf8'), 'the previous export');
      assert.deepEqual(readdirSync(dir), [`out.${format}`]);
    });
  }
});

describe('an interrupted export (Ctrl-C) leaves no file', () => {
  test('the signal aborts mid-read: rejected with its reason, neither the target nor a temporary file exists', async () => {
    const dir = mkdtempSync(join(work, 'abort-'));
    const out = join(dir, 'out.parquet');
    const interrupt = new AbortController();
    let yielded = 0;
    const store = {
      listCursors: () => [{ exchange: 'binance' as const, market: 'spot' as const, symbol: 'BTC/USDT', lastTradeId: '1', lastTimestamp: T0, count: 1 }],
      readRange: () =>
        (async function* () {
          for (const t of tradesOf(VENUES[0]!)) {
            if (++yielded === 100) interrupt.abort(new Error('interrupted'));
            yield t;
          }
        })(),
    };
    await assert.rejects(exportHistory(store, { type: 'trade' }, { format: 'parquet', out, rowGroupSize: 16, signal: interrupt.signal }), /interrupted/);
    assert.ok(yielded < 300, `stopped reading after ${yielded}`);
    assert.deepEqual(readdirSync(dir), []);
  });
});
