/**
 * The embedded simulator as the runtime receives it: started for the exchanges marked `simulated`
 * in the configuration, on loopback, at `simulator.port`. The runtime never starts a simulator by
 * itself; the callers that want one (the package entry, `tickvisor run`, the simulate command,
 * tests) pass this.
 */
import type { SimulatorLauncher } from '../runtime/tickvisor.js';
import { startSimExchange } from '../sim/index.js';
import { simVenuesFor } from './sim-venues.js';

export const embeddedSimulator: SimulatorLauncher = async (config, log) => {
  const venues = simVenuesFor(config);
  if (venues.length === 0) return undefined;
  const sim = await startSimExchange({
    port: config.simulator.port,
    seed: config.simulator.seed,
    venues,
    mode: config.simulator.mode,
    ...(config.simulator.timing ? { timing: config.simulator.timing } : {}),
  });
  log.info({ port: sim.port, venues: venues.length }, 'simulated exchange listening on loopback');
  return sim;
};
