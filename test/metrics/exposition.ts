/** A small reader of Prometheus text exposition for assertions: `name{a="x",b="y"}` → value. */
import type { PipelineStats } from '../../src/ingest/pipeline.js';

export interface Exposition {
  samples: Map<string, number>;
  help: Map<string, string>;
  type: Map<string, string>;
}

export function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { samples, help, type };
}

/** the sample key as prom-client writes it (labels in the order given) */
export function series(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** every sample key of one metric name */
export function seriesOf(e: Exposition, name: string): string[] {
  return [...e.samples.keys()].filter((k) => k === name || k.startsWith(`${name}{`));
}

export function pipelineStats(over: Partial<PipelineStats> = {}): PipelineStats {
  return {
    buffered: 0,
    inFlight: 0,
    committed: 0,
    duplicates: 0,
    dedupDropped: 0,
    storeDuplicates: 0,
    rejected: { schema: 0, price: 0, amount: 0, timestamp: 0, symbol: 0 },
    rejectedTotal: 0,
    batches: 0,
    writeErrors: 0,
    writeFailing: false,
    overLimitPushes: 0,
    late: 0,
    pressure: false,
    ...over,
  };
}
