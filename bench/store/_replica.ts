import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistoryStore } from '../../src/store/index.js';
import { lotsOf, scanColumns } from './columnar-read.js';
import { SERIES_SYMBOL, tradeSeries } from './trade-series.js';
const keep = !process.argv.includes('--drop');
const batches = [...tradeSeries(1_000_000, 1000)];
const dir = mkdtempSync(join(tmpdir(), 'fr-replica-'));
const store = openHistoryStore({ path: dir, noSync: true });
for (const b of batches) await store.writeBatch(b);
await store.close();
if (!keep) batches.length = 0;
const reader = openHistoryStore({ path: dir, readOnly: true });
const QUERY = { ...SERIES_SYMBOL, type: 'trade' as const };
for (let k = 0; k < 3; k++) { global.gc?.(); let lots = 0; const c0 = process.cpuUsage(); const t = performance.now(); for (const r of reader.readRange(QUERY)) if (r.type === 'trade') lots += lotsOf(r.amount); const c = process.cpuUsage(c0); console.log('records', (1e6 / (performance.now() - t) / 1000).toFixed(2), 'M/s wall', ((c.user + c.system) / 1000).toFixed(0), 'ms cpu'); }
for (const reuse of [true, false]) for (let k = 0; k < 3; k++) { global.gc?.(); const c0 = process.cpuUsage(); const s = await scanColumns(reader, QUERY, reuse); const c = process.cpuUsage(c0); console.log(reuse ? 'reused ' : 'fresh  ', (s.rows / s.ms / 1000).toFixed(2), 'M/s wall', ((c.user + c.system) / 1000).toFixed(0), 'ms cpu'); }
await reader.close();
rmSync(dir, { recursive: true, force: true });
console.log(batches.length);
