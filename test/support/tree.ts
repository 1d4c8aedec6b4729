/**
 * Builds the whole supervision tree with fake I/O for tests: a FakeNetwork for sockets, a fake
 * market listing, and XState's SimulatedClock for every delay (backoff, timeouts, windows).
 */
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { collectorMachine, type CollectorInput, type Listing, type ListSymbolsInput } from '../../machines/collector.js';
import { connectorMachine, DEFAULT_CONNECTOR_POLICY, type ConnectorPolicy } from '../../machines/connector.js';
import { managerMachine } from '../../machines/manager.js';
import type { RestartPolicy } from '../../machines/supervision.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { FakeNetwork } from './fake-network.js';

export const TEST_CONNECTOR_POLICY: ConnectorPolicy = {
  ...DEFAULT_CONNECTOR_POLICY,
  connectTimeoutMs: 1_000,
  subscribeTimeoutMs: 1_000,
  silenceTimeoutMs: 5_000,
  reconnect: { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0 },
  maxConsecutiveFailures: 3,
  healthyAfterMs: 10_000,
  subscribeRetryMs: 500,
  maxSubscribeFailures: 3,
};

export const TEST_RESTART: RestartPolicy = {
  backoff: { minDelayMs: 1_000, maxDelayMs: 16_000, factor: 2, jitter: 0 },
  maxRestarts: 3,
  windowMs: 600_000,
  parkAfterEscalationMs: 3_600_000,
};

export function collectorInput(exchange: ExchangeId, market: Market, over: Partial<CollectorInput> = {}): CollectorInput {
  return {
    exchange,
    market,
    channels: ['trade'],
    groupSize: 2,
    maxStreamsPerConnection: 1024,
    connectorPolicy: TEST_CONNECTOR_POLICY,
    restart: TEST_RESTART,
    refreshIntervalMs: 0,
    listingRetry: { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0 },
    maxListingFailures: 3,
    seed: 7,
    ...over,
  };
}

export type ListingFn = (input: ListSymbolsInput) => Promise<Listing>;

export const defaultListing: ListingFn = async ({ exchange }) => ({
  symbols: exchange === 'upbit' ? ['BTC/KRW', 'ETH/KRW', 'XRP/KRW'] : ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'],
});

export function provideTree(net: FakeNetwork, listing: ListingFn = defaultListing) {
  const connector = connectorMachine.provide({ actors: { connection: net.logic } });
  const collector = collectorMachine.provide({
    actors: { connector, listSymbols: fromPromise<Listing, ListSymbolsInput>(({ input }) => listing(input)) },
  });
  return { connector, collector, manager: managerMachine.provide({ actors: { collector } }) };
}

export function startManager(collectors: CollectorInput[], options: { net?: FakeNetwork; listing?: ListingFn; leased?: boolean } = {}) {
  const net = options.net ?? new FakeNetwork();
  const clock = new SimulatedClock();
  const { manager } = provideTree(net, options.listing);
  const actor = createActor(manager, { clock, input: { collectors, restart: TEST_RESTART, seed: 1, ...(options.leased ? { leased: true } : {}) } });
  const alerts: unknown[] = [];
  actor.on('alert', (e) => alerts.push(e.alert));
  actor.start();
  return { actor, clock, net, alerts };
}

/** Advance simulated time in steps, letting fake sockets answer and healthy feeds report activity. */
export async function advance(
  t: { clock: SimulatedClock; net: FakeNetwork },
  ms: number,
  options: { step?: number; pulse?: (c: import('./fake-network.js').FakeConnection) => boolean } = {},
): Promise<void> {
  const step = options.step ?? 250;
  for (let elapsed = 0; elapsed < ms; elapsed += step) {
    await settleAll();
    t.net.pulse(options.pulse);
    t.clock.increment(Math.min(step, ms - elapsed));
    await settleAll();
  }
}

async function settleAll(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
}

/** Timers still scheduled on a SimulatedClock (its map is private in the typings, public at runtime). */
export function pendingTimers(clock: SimulatedClock): number {
  return (clock as unknown as { timeouts: Map<unknown, unknown> }).timeouts.size;
}
