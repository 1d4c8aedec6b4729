/** Reads, parses and validates a configuration; every failure is one line naming the problem. */
import { readFile } from 'node:fs/promises';
import type { ZodError } from 'zod';
import { TickvisorError } from '../errors.js';
import { isSupportedVenue } from '../exchanges/index.js';
import { DEFAULT_CONFIG } from './default.js';
import { configSchema, type TickvisorConfig, type TickvisorConfigInput } from './schema.js';

function describe(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates an in-memory configuration (library use). */
export function resolveConfig(input: TickvisorConfigInput | unknown, source = 'config'): TickvisorConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new TickvisorError('TV_ERR_CONFIG_INVALID', `${source}: ${describe(result.error)}`, { cause: result.error });
  }
  const config = result.data;
  const seen = new Set<string>();
  config.exchanges.forEach((e, i) => {
    if (!isSupportedVenue(e.exchange, e.market)) {
      throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `${source}: exchanges.${i}: ${e.exchange} has no ${e.market} market`);
    }
    const key = `${e.exchange}:${e.market}`;
    if (seen.has(key)) throw new TickvisorError('TV_ERR_CONFIG_INVALID', `${source}: exchanges.${i}: ${key} is configured twice`);
    seen.add(key);
    if (e.simulated && (e.wsUrl || e.restUrl)) {
      throw new TickvisorError('TV_ERR_CONFIG_INVALID', `${source}: exchanges.${i}: a simulated exchange takes no wsUrl/restUrl`);
    }
  });
  return config;
}

export async function loadConfigFile(path: string): Promise<TickvisorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TickvisorError('TV_ERR_CONFIG_NOT_FOUND', `cannot read config ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { cause });
  }
  // yaml is imported only for a YAML file (~9 MB RSS that a JSON or embedded config never needs),
  // outside the try below so that a failed import is not reported as invalid YAML
  const parseYaml = path.endsWith('.json') ? undefined : (await import('yaml')).parse;
  let data: unknown;
  try {
    data = parseYaml ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    throw new TickvisorError('TV_ERR_CONFIG_INVALID', `${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  return resolveConfig(data, path);
}

export function defaultConfig(): TickvisorConfig {
  return resolveConfig(DEFAULT_CONFIG, 'embedded default');
}
