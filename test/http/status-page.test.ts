import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COIN_STATE_CODES } from '../../machines/coin.js';
import { COLLECTOR_STATE_CODES } from '../../machines/collector.js';
import { CONNECTOR_STATE_CODES } from '../../machines/connector.js';
import { STATE_COLOURS, STATUS_PAGE_HTML } from '../../src/http/status-page.js';

describe('status page document', () => {
  test('gives every state of every machine its own colour', () => {
    const states = new Set([...Object.keys(COIN_STATE_CODES), ...Object.keys(CONNECTOR_STATE_CODES), ...Object.keys(COLLECTOR_STATE_CODES), 'Managing']);
    for (const s of states) assert.ok(STATE_COLOURS[s], `colour for ${s}`);
    const colours = Object.values(STATE_COLOURS);
    assert.equal(new Set(colours).size, colours.length, 'no two states share a colour');
  });

  test('is self-contained: inline script and style, nothing loaded from elsewhere', () => {
    assert.doesNotMatch(STATUS_PAGE_HTML, /<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    assert.match(STATUS_PAGE_HTML, /new EventSource\('events'\)/);
    assert.match(STATUS_PAGE_HTML, /fetch\('health'/);
  });

  test('its inline script is valid JavaScript with the colour table filled in', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(STATUS_PAGE_HTML)?.[1] ?? '';
    assert.ok(!script.includes('__COLOURS__'));
    assert.doesNotThrow(() => new Function(script)); // compiles only; nothing runs
  });
});
