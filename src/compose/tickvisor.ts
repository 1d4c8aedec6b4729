/**
 * createTickvisor as the package and the CLI offer it: the runtime composed with the embedded
 * simulator, so a configuration with `simulated` exchanges runs on it as before. A caller that
 * wants another simulator (or none) passes `simulator` itself.
 */
import type { TickvisorConfig, TickvisorConfigInput } from '../config/schema.js';
import { createTickvisor as createRuntime, type Tickvisor, type TickvisorOptions } from '../runtime/tickvisor.js';
import { embeddedSimulator } from './embedded-simulator.js';

export function createTickvisor(config: TickvisorConfigInput | TickvisorConfig, options: TickvisorOptions = {}): Tickvisor {
  return createRuntime(config, { simulator: embeddedSimulator, ...options });
}
