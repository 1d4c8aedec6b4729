/**
 * Child loggers bound to where a line comes from (docs/architecture.md#data-path). Bind once when the module is built —
 * a child per collector, connector or coin — never per message: pino serializes bindings once per
 * child, so a bound child costs nothing per line.
 */
import type { Logger } from './logger.js';

export interface LogBindings {
  exchange?: string;
  market?: string;
  connector?: string;
  symbol?: string;
}

/** a child carrying the given bindings (undefined ones left out, so no `"symbol":undefined` noise) */
export function boundLogger(log: Logger, bindings: LogBindings): Logger {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(bindings)) if (value !== undefined) defined[name] = value;
  return log.child(defined);
}

/** a collector's logger: one exchange × market */
export const venueLogger = (log: Logger, exchange: string, market: string): Logger => log.child({ exchange, market });

/** a connector's logger (child of its venue's logger) */
export const connectorLogger = (log: Logger, connector: string): Logger => log.child({ connector });

/** a coin's logger (child of its connector's or venue's logger) */
export const symbolLogger = (log: Logger, symbol: string): Logger => log.child({ symbol });
