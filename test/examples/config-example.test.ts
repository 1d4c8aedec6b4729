import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load.js';

describe('examples/config.example.yaml', () => {
  test('validates, and points at the production endpoints', async () => {
    const config = await loadConfigFile('examples/config.example.yaml');
    assert.equal(config.exchanges.length, 5);
    assert.ok(config.exchanges.every((e) => !e.simulated && e.wsUrl === undefined));
    assert.equal(config.store.path, './data');
    assert.equal(config.metrics.port, 9464);
  });
});
