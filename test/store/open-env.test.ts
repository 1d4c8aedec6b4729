/** The LMDB map a store opens with (src/store/open-env.ts): one large map for a writer, the configured one when set. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openEnvironment } from '../../src/store/open-env.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tv-openenv-'));
  dirs.push(d);
  return d;
};

/** lmdb-js's stats (its .d.ts types them as an empty object) */
const mapSizeOf = (env: { getStats(): unknown }): number => (env.getStats() as { mapSize: number }).mapSize;

/** the mappings of `file` in this process (Linux), or undefined where /proc is not there */
function mappingsOf(file: string): number | undefined {
  try {
    return readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.endsWith(file)).length;
  } catch {
    return undefined;
  }
}

describe('store environment map', { skip: process.platform === 'win32' ? 'Windows sizes the file to the map' : false }, () => {
  test('a writer gets one map large enough that growth never remaps it; the file grows with its data only', async () => {
    const dir = fresh();
    const env = openEnvironment({ path: dir, noSync: true });
    const db = env.openDB<string, number>({ name: 'x' });
    for (let b = 0; b < 50; b++) {
      await env.transaction(() => {
        for (let i = 0; i < 200; i++) db.putSync(b * 200 + i, 'v'.repeat(200));
      });
    }
    assert.ok(mapSizeOf(env) >= 8 * 1024 ** 3, 'a map of gigabytes (address space)');
    assert.ok(statSync(join(dir, 'data.mdb')).size < 64 * 1024 ** 2, 'the file holds the data, not the map');
    const maps = mappingsOf(join(dir, 'data.mdb'));
    if (maps !== undefined) assert.equal(maps, 1, 'one mapping: no remap left an old one behind');
    await env.close();
  });

  test('a configured map size is the one opened', async () => {
    const env = openEnvironment({ path: fresh(), noSync: true, mapSize: 64 * 1024 ** 2 });
    assert.equal(mapSizeOf(env), 64 * 1024 ** 2);
    await env.close();
  });
});
