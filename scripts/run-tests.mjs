#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's own test runner, TypeScript through tsx.
// (Node 20's --test does not expand globs nor discover .ts files by itself.)
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('test').filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  // a test that hangs fails (per test, and the whole run) instead of eating CI's 90 minutes
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=180000', ...files],
  { stdio: 'inherit', env: { ...process.env, TICKVISOR_TEST: '1' }, timeout: 30 * 60_000, killSignal: 'SIGKILL' },
);
if (result.error) console.error(`test run aborted: ${result.error.message}`);
process.exit(result.status ?? 1);
