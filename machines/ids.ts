/**
 * Readable, stable actor ids (also their systemIds), so an inspector shows a tree a person can
 * read and a restarted actor keeps its name.
 */
import type { ExchangeId, Market } from '../src/records.js';

export const managerId = 'manager';
export const collectorId = (exchange: ExchangeId, market: Market) => `collector:${exchange}:${market}`;
export const connectorId = (exchange: ExchangeId, market: Market, group: number) =>
  `connector:${exchange}:${market}:${group}`;
export const connectionId = (exchange: ExchangeId, market: Market, group: number) =>
  `connection:${exchange}:${market}:${group}`;
export const coinId = (exchange: ExchangeId, market: Market, symbol: string) => `coin:${exchange}:${market}:${symbol}`;
