/**
 * What one simulator process can honestly play. It generates every trade in this process, on the
 * same cores as the collector it feeds: far beyond these it measures itself, not the collector,
 * and a typo (1e9 trades/s, a run of 30 years) would exhaust memory instead of failing clearly.
 */
/** per symbol, trades or tickers per second */
export const MAX_SIM_RATE_PER_SYMBOL = 20_000;
/** all symbols together, trades per second */
export const MAX_SIM_TOTAL_TRADE_RATE = 200_000;
/** symbols of one venue */
export const MAX_SIM_SYMBOLS_PER_VENUE = 10_000;
/** a scripted run's timeline: one week */
export const MAX_SCENARIO_DURATION_MS = 7 * 86_400_000;
