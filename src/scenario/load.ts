/**
 * Reads, parses and validates a scenario file; every mistake is one line that names the file and
 * the field (`scenario.yaml: faults.2.at: expected number, received string`), coded
 * TV_ERR_SCENARIO_INVALID (or TV_ERR_FILE_NOT_FOUND when the file cannot be read).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { core } from 'zod';
import { TickvisorError } from '../errors.js';
import { isSupportedVenue } from '../exchanges/index.js';
import { MAX_SIM_TOTAL_TRADE_RATE } from '../sim/rate-limits.js';
import { CONNECTION_FAULT_KINDS, type SimFault, type SimFaultKind, type SimOptions, type SimVenueOptions } from '../sim/types.js';
import type { ExchangeId } from '../records.js';
import { BOOK_FAULT_KINDS, isClusterFault, isCollectorFault, scenarioCollectsBooks, scenarioSchema, type Scenario, type ScenarioFault, type SimScenarioFault } from './schema.js';

/**
 * Where each book fault acts in the simulator: sequence breaks where the venue numbers its book
 * frames (Upbit sends whole books, so nothing can break), checksums on OKX, REST depth snapshots on
 * Binance (the others' books start from a WebSocket snapshot). Aimed elsewhere it would test nothing.
 */
const BOOK_FAULT_EXCHANGES: Record<(typeof BOOK_FAULT_KINDS)[number], readonly ExchangeId[]> = {
  'book-drop': ['binance', 'bybit', 'okx'],
  'book-out-of-order': ['binance', 'bybit', 'okx'],
  'book-checksum': ['okx'],
  'book-stale-snapshot': ['binance'],
  'book-snapshot-429': ['binance'],
};

const isBookFault = (kind: string): kind is keyof typeof BOOK_FAULT_EXCHANGES => kind in BOOK_FAULT_EXCHANGES;

function pathText(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** zod's wording, made into the short form the CLI prints (no "Invalid input:" prefixes). */
function describeIssue(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const where = issue.path.length ? `${pathText(issue.path)}.` : '';
      return issue.keys.length === 1 ? `${where}${issue.keys[0]}: unknown field` : `${pathText(issue.path)}: unknown fields ${issue.keys.join(', ')}`;
    }
    case 'invalid_value':
      return `${pathText(issue.path)}: expected one of ${issue.values.map(String).join('|')}`;
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return `${pathText(issue.path)}: missing (expected ${issue.expected})`;
      break;
  }
  return `${pathText(issue.path)}: ${issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid number): /, '')}`;
}

function invalid(source: string, message: string, cause?: unknown): TickvisorError {
  return new TickvisorError('TV_ERR_SCENARIO_INVALID', `${source}: ${message}`, cause === undefined ? {} : { cause });
}

/** A fault applies to every venue its exchange/market (when given) match. */
function faultVenues(scenario: Scenario, fault: ScenarioFault) {
  return scenario.venues.filter(
    (v) => (fault.exchange === undefined || fault.exchange === v.exchange) && (fault.market === undefined || fault.market === v.market),
  );
}

/** Fields only some kinds read: given to another kind they would be silently ignored, so they are refused. */
const FIELD_KINDS: Record<'skewMs' | 'status' | 'rows' | 'windowFrames' | 'connection', readonly SimFaultKind[]> = {
  skewMs: ['clock-skew', 'rest-ts-mismatch'],
  status: ['rest-5xx'],
  rows: ['rest-partial'],
  windowFrames: ['out-of-order'],
  connection: CONNECTION_FAULT_KINDS,
};

/** The rules of the newer fault kinds: fields that belong to other kinds, and fields a kind cannot do without. */
function checkFaultFields(f: ScenarioFault, i: number, source: string): void {
  for (const [field, kinds] of Object.entries(FIELD_KINDS)) {
    if (f[field as keyof typeof FIELD_KINDS] !== undefined && !(kinds as readonly string[]).includes(f.kind)) {
      throw invalid(source, `faults.${i}.${field}: not a field of ${f.kind} (only ${kinds.join(', ')})`);
    }
  }
  if (f.kind === 'clock-skew' && (f.skewMs === undefined || f.skewMs === 0)) {
    throw invalid(source, `faults.${i}.skewMs: missing (a clock-skew fault needs a non-zero offset)`);
  }
  if (f.kind === 'delist' && f.symbols === undefined) throw invalid(source, `faults.${i}.symbols: missing (a delist fault names the symbols it delists)`);
  if (f.kind === 'replay-frames' && f.durationMs === undefined) {
    throw invalid(source, `faults.${i}.durationMs: missing (replay-frames replays what was sent during durationMs when it ends)`);
  }
}

/** The rules between fields: venues the project speaks, once each; faults that can happen. */
function checkConsistency(scenario: Scenario, source: string): void {
  const seen = new Set<string>();
  scenario.venues.forEach((v, i) => {
    if (!isSupportedVenue(v.exchange, v.market)) throw invalid(source, `venues.${i}: ${v.exchange} has no ${v.market} market`);
    const key = `${v.exchange}/${v.market}`;
    if (seen.has(key)) throw invalid(source, `venues.${i}: ${key} is listed twice`);
    seen.add(key);
    const symbols = new Set<string>();
    v.symbols.forEach((s, k) => {
      const perpetual = s.symbol.includes(':');
      if (perpetual !== (v.market === 'futures')) {
        throw invalid(source, `venues.${i}.symbols.${k}: ${s.symbol} is not a ${v.market} symbol (spot BASE/QUOTE, futures BASE/QUOTE:SETTLE)`);
      }
      if (symbols.has(s.symbol)) throw invalid(source, `venues.${i}.symbols.${k}: ${s.symbol} is listed twice`);
      symbols.add(s.symbol);
    });
  });
  if (scenario.expect.books !== undefined && !scenarioCollectsBooks(scenario)) {
    throw invalid(source, 'expect.books: the collector keeps no books (add book to tickvisor.channels)');
  }
  const totalRate = scenario.venues.reduce((n, v) => n + v.symbols.reduce((m, s) => m + (s.tradesPerSecond ?? scenario.tradesPerSecond), 0), 0);
  if (totalRate > MAX_SIM_TOTAL_TRADE_RATE) {
    throw invalid(source, `venues: ${totalRate} trades/s over all symbols; one simulator process plays at most ${MAX_SIM_TOTAL_TRADE_RATE}`);
  }
  scenario.faults.forEach((f, i) => {
    if (f.at > scenario.durationMs) throw invalid(source, `faults.${i}.at: ${f.at} is after the end of the run (durationMs ${scenario.durationMs})`);
    const venues = faultVenues(scenario, f);
    if (venues.length === 0) {
      const target = [f.exchange, f.market].filter((x) => x !== undefined).join('/');
      throw invalid(source, `faults.${i}: ${target} is not one of the scenario's venues`);
    }
    for (const symbol of f.symbols ?? []) {
      if (!venues.some((v) => v.symbols.some((s) => s.symbol === symbol))) {
        throw invalid(source, `faults.${i}.symbols: ${symbol} is not simulated on the venues this fault applies to`);
      }
    }
    if (isBookFault(f.kind)) {
      if (!scenarioCollectsBooks(scenario)) throw invalid(source, `faults.${i}: ${f.kind} needs a collector keeping books (tickvisor.channels with book)`);
      const where = BOOK_FAULT_EXCHANGES[f.kind];
      if (!venues.some((v) => where.includes(v.exchange))) throw invalid(source, `faults.${i}: ${f.kind} acts on ${where.join(', ')} books only`);
    }
    if (f.kind === 'store-full' && f.durationMs === undefined) throw invalid(source, `faults.${i}.durationMs: missing (a store-full fault needs its duration)`);
    if (f.kind === 'slow' && f.latencyMs === undefined) throw invalid(source, `faults.${i}.latencyMs: missing (a slow fault needs its latency)`);
    checkFaultFields(f, i, source);
  });
}

/** A cluster scenario's rules: faults that need one, victims that exist, collector faults that do not apply. */
function checkCluster(scenario: Scenario, source: string): void {
  const cluster = scenario.cluster;
  if (cluster && cluster.redundancy > cluster.nodes) throw invalid(source, `cluster.redundancy: ${cluster.redundancy} needs at least ${cluster.redundancy} nodes (nodes: ${cluster.nodes})`);
  scenario.faults.forEach((f, i) => {
    if (isClusterFault(f) && !cluster) throw invalid(source, `faults.${i}: ${f.kind} needs a cluster scenario (cluster: { nodes, natsServers, redundancy })`);
    if (cluster && isCollectorFault(f)) throw invalid(source, `faults.${i}: ${f.kind} acts on a single collector; in a cluster scenario use kill-node or restart-node`);
    if (f.node !== undefined && !['kill-node', 'restart-node', 'isolate-node'].includes(f.kind)) throw invalid(source, `faults.${i}.node: not a field of ${f.kind} (only kill-node, restart-node, isolate-node)`);
    if (f.server !== undefined && f.kind !== 'kill-nats') throw invalid(source, `faults.${i}.server: not a field of ${f.kind} (only kill-nats)`);
    if (cluster && f.node !== undefined && f.node >= cluster.nodes) throw invalid(source, `faults.${i}.node: node ${f.node} does not exist (nodes are 0 … ${cluster.nodes - 1})`);
    if (cluster && f.server !== undefined && f.server >= cluster.natsServers) throw invalid(source, `faults.${i}.server: server ${f.server} does not exist (servers are 0 … ${cluster.natsServers - 1})`);
    if (f.kind === 'isolate-node' && f.durationMs === undefined) throw invalid(source, `faults.${i}.durationMs: missing (isolate-node cuts the node off NATS for durationMs)`);
  });
}

/** Validates scenario data already parsed from YAML or JSON; `source` names it in messages. */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (!result.success) {
    const [first, ...more] = result.error.issues;
    const extra = more.length ? ` (and ${more.length} more)` : '';
    throw invalid(source, `${first ? describeIssue(first) : 'does not validate'}${extra}`, result.error);
  }
  checkConsistency(result.data, source);
  checkCluster(result.data, source);
  return result.data;
}

/** Reads a YAML or JSON scenario file (YAML is a superset of JSON, so one parser reads both). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `cannot read scenario ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  const source = basename(path);
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (cause) {
    throw invalid(source, `not valid YAML or JSON: ${(cause as Error).message.split('\n')[0]}`, cause);
  }
  return parseScenario(data, source);
}

/** The simulator venues of a scenario; symbols written as bare strings get the scenario's rates. */
export function scenarioSimVenues(scenario: Scenario): SimVenueOptions[] {
  return scenario.venues.map((v) => ({
    exchange: v.exchange,
    market: v.market,
    symbols: v.symbols.map((s) => ({
      ...s,
      tradesPerSecond: s.tradesPerSecond ?? scenario.tradesPerSecond,
      tickersPerSecond: s.tickersPerSecond ?? scenario.tickersPerSecond,
    })),
  }));
}

/**
 * Simulator options for a scenario. `overrides` carries what the scenario does not decide
 * (host, port, mode, clock) — e.g. `{ port: 0 }` for the CLI, `{ mode: 'manual', now }` for a scripted run.
 */
export function scenarioToSimOptions(scenario: Scenario, overrides: Omit<Partial<SimOptions>, 'venues'> = {}): SimOptions {
  return {
    seed: scenario.seed,
    venues: scenarioSimVenues(scenario),
    ...(scenario.timing !== undefined ? { timing: scenario.timing } : {}),
    ...overrides,
  };
}

/** The fault as the simulator takes it: the timeline's `at` removed. */
export function toSimFault(fault: SimScenarioFault): SimFault {
  const { at: _at, ...rest } = fault;
  return rest;
}
