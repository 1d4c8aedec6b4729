/**
 * The bench measures tickvisor as users start it: with the node flags and the environment of
 * package.json's `start` script, read from there (a setting changed in one place is measured too).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tickvisorLaunch } from '../../bench/consumers/dist-child.js';

describe('bench: tickvisor child launch', () => {
  const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;

  test('flags are those between node and bin/tickvisor.js in the start script', () => {
    const { flags } = tickvisorLaunch();
    assert.ok(flags.length > 0, start);
    for (const f of flags) assert.ok(start.includes(` ${f} `), `${f} in ${start}`);
    assert.ok(flags.every((f) => f.startsWith('--')));
  });

  test('environment is what `env` sets before node in the start script', () => {
    const { env } = tickvisorLaunch();
    for (const [k, v] of Object.entries(env)) assert.ok(start.includes(` ${k}=${v} `), `${k}=${v} in ${start}`);
    const assigned = /\benv\s+((?:[A-Z_][A-Z0-9_]*=\S*\s+)+)node\b/.exec(start)?.[1]?.trim().split(/\s+/) ?? [];
    assert.equal(Object.keys(env).length, assigned.length, start);
  });
});
