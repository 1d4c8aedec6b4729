/** Configuration → the machines' inputs: policies, limits and keep-alive from config and adapters. */
import type { CollectorInput } from '../../machines/collector.js';
import { DEFAULT_CONNECTOR_POLICY, type ConnectorPolicy } from '../../machines/connector.js';
import { DEFAULT_CONNECTOR_RESTART } from '../../machines/supervision.js';
import type { ExchangeConfig, TickvisorConfig } from '../config/schema.js';
import type { ExchangeAdapter } from '../exchanges/types.js';
import type { Market } from '../records.js';

export function connectorPolicyFor(config: TickvisorConfig, adapter: ExchangeAdapter): ConnectorPolicy {
  const c = config.connector;
  const keepAlive = adapter.keepAlive;
  const lifetime = adapter.limits.connectionLifetimeMs;
  return {
    ...DEFAULT_CONNECTOR_POLICY,
    // rotate well before the exchange's own cut (Binance: 24 h → at 23 h 30 min)
    rotateAfterMs: c.rotateAfterMs ?? (lifetime ? Math.max(lifetime - 30 * 60_000, lifetime * 0.9) : 0),
    pingIntervalMs: keepAlive.initiator === 'client' ? (c.pingIntervalMs ?? keepAlive.intervalMs) : 0,
    silenceTimeoutMs: c.silenceTimeoutMs ?? keepAlive.silenceTimeoutMs,
    ...(c.connectTimeoutMs !== undefined ? { connectTimeoutMs: c.connectTimeoutMs } : {}),
    ...(c.subscribeTimeoutMs !== undefined ? { subscribeTimeoutMs: c.subscribeTimeoutMs } : {}),
    ...(c.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: c.maxConsecutiveFailures } : {}),
    ...(c.healthyAfterMs !== undefined ? { healthyAfterMs: c.healthyAfterMs } : {}),
    ...(c.maxSubscribeFailures !== undefined ? { maxSubscribeFailures: c.maxSubscribeFailures } : {}),
    ...(c.subscribeRetryMs !== undefined ? { subscribeRetryMs: c.subscribeRetryMs } : {}),
    ...(c.reconnect !== undefined ? { reconnect: c.reconnect } : {}),
    ...(c.refusedRetry !== undefined ? { refusedRetry: c.refusedRetry } : {}),
    stall: { ...DEFAULT_CONNECTOR_POLICY.stall, ...definedOnly(c.stall ?? {}) },
  };
}

/** the keys that were given (zod leaves absent optional keys undefined) */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function collectorInputFor(
  config: TickvisorConfig,
  exchange: ExchangeConfig,
  adapter: ExchangeAdapter,
  index: number,
): CollectorInput {
  const groupSize = exchange.groupSize ?? adapter.limits.defaultGroupSize;
  return {
    exchange: adapter.exchange,
    market: exchange.market as Market,
    ...(exchange.symbols ? { symbols: exchange.symbols } : {}),
    ...(exchange.quotes ? { quotes: exchange.quotes } : {}),
    channels: exchange.channels,
    groupSize,
    maxStreamsPerConnection: adapter.limits.maxStreamsPerConnection,
    connectorPolicy: connectorPolicyFor(config, adapter),
    restart: config.supervision.connector ?? DEFAULT_CONNECTOR_RESTART,
    refreshIntervalMs: exchange.refreshIntervalMs,
    listingRetry: { minDelayMs: 1_000, maxDelayMs: 60_000, factor: 2, jitter: 0.2 },
    maxListingFailures: 5,
    seed: config.seed * 1_000 + index,
  };
}
