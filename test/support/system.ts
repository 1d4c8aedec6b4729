/**
 * Whole-system tests: createTickvisor against its embedded simulator on loopback, in a temporary
 * store. Real sockets, so waits are real but short, and always bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TickvisorConfigInput } from '../../src/config/schema.js';
import type { ExchangeId, Market, Trade } from '../../src/records.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import type { Tickvisor } from '../../src/runtime/tickvisor.js';
import { walk, type ActorNode } from '../../src/runtime/state-tree.js';
import { silentLogger } from '../../src/log/logger.js';

export interface TestSystem {
  tv: Tickvisor;
  dir: string;
  close(): Promise<void>;
}

export async function startSystem(config: Omit<TickvisorConfigInput, 'store'> & { store?: TickvisorConfigInput['store'] }, dir?: string): Promise<TestSystem> {
  const path = dir ?? mkdtempSync(join(tmpdir(), 'tickvisor-test-'));
  const tv = createTickvisor({ ...config, store: { path, ...(config.store ?? {}) } }, { logger: silentLogger() });
  await tv.start();
  return {
    tv,
    dir: path,
    close: async () => {
      await tv.stop();
      if (!dir) rmSync(path, { recursive: true, force: true });
    },
  };
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function nodes(tree: ActorNode, kind: ActorNode['kind']): ActorNode[] {
  return [...walk(tree)].filter((n) => n.kind === kind);
}

export function allCoinsSubscribed(tv: Tickvisor): boolean {
  const coins = nodes(tv.state(), 'coin');
  return coins.length > 0 && coins.every((c) => c.state === 'Subscribed');
}

/** Drive a manual-mode simulator in real time: `ms` of generation in steps. */
export async function drive(tv: Tickvisor, ms: number, stepMs = 20): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    tv.sim!.advance(stepMs);
    await sleep(stepMs);
  }
}

/** Everything stored for a venue's symbols (trades only). */
export async function storedTrades(tv: Tickvisor, exchange: ExchangeId, market: Market, symbols: string[]): Promise<Trade[]> {
  const out: Trade[] = [];
  for (const symbol of symbols) {
    for await (const r of tv.history({ exchange, market, symbol, type: 'trade' })) out.push(r as Trade);
  }
  return out;
}

/** Wait until the pipelines hold nothing and the committed count stops moving. */
export async function quiesce(tv: Tickvisor, quietMs = 400): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  await waitFor('the pipelines to drain', () => {
    const stats = Object.values(tv.pipelineStats());
    const committed = stats.reduce((n, s) => n + s.committed, 0);
    const buffered = stats.reduce((n, s) => n + s.buffered + s.inFlight, 0);
    if (committed !== last || buffered > 0) {
      last = committed;
      stableSince = Date.now();
      return false;
    }
    return Date.now() - stableSince >= quietMs;
  }, 30_000);
}

/** Drive a manual-mode simulator until a condition holds (exchanges without acks confirm on data). */
export async function driveUntil(tv: Tickvisor, what: string, condition: () => boolean, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    tv.sim!.advance(stepMs);
    await sleep(stepMs);
  }
}

/**
 * Waits until the system has stored trades the exchange stamped at least `ms` after `since` (its
 * own clock), on every one of `symbols`: positive evidence that it kept running that long. Use it
 * instead of sleeping before asserting that something did not happen.
 */
export async function waitForTradesPast(tv: Tickvisor, exchange: ExchangeId, market: Market, symbols: readonly string[], since: number, ms: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `trades stamped ${ms} ms after ${since} on ${symbols.join(', ')}`,
    () => symbols.every((s) => (tv.latest(exchange, market, s)?.trade?.timestamp ?? 0) >= since + ms),
    timeoutMs,
  );
}
