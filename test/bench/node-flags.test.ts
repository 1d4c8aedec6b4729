/**
 * The bench measures tickvisor with the node flags users start it with: those of package.json's
 * `start` script, read from there (a flag changed in one place is measured too).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tickvisorNodeFlags } from '../../bench/consumers/dist-child.js';

describe('bench: tickvisor child node flags', () => {
  test("are the flags between node and bin/tickvisor.js in the start script", () => {
    const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const flags = tickvisorNodeFlags();
    assert.ok(flags.length > 0, start);
    for (const f of flags) assert.ok(start.includes(` ${f} `), `${f} in ${start}`);
    assert.ok(flags.every((f) => f.startsWith('--')));
  });
});
