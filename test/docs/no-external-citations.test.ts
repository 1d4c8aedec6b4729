/**
 * The design lives in the repository (docs/architecture.md): no source file may cite a document
 * that is not here — "DESIGN §…", "DESIGN.md", "design §4.2", "STYLE:" — and every
 * docs/architecture.md#anchor a comment points at must exist.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const ROOTS = ['src', 'machines', 'bin', 'bench', 'test', 'scripts', 'examples'];
const SOURCE = /\.(ts|js|mjs|cjs|yaml|yml)$/;
// built from parts so this file does not match itself
const CITATION = new RegExp(['DESIGN(\\.md|\\s*§)', '\\bdesign\\s+§', '\\bSTYLE\\b'].join('|'));
const THIS_FILE = fileURLToPath(import.meta.url);

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : files(path);
    return SOURCE.test(name) && path !== THIS_FILE ? [path] : [];
  });
}

describe('design citations', () => {
  const all = ROOTS.flatMap((r) => files(join(repo, r)));

  test('the scan sees the sources (it can fail)', () => {
    assert.ok(all.some((f) => f.endsWith(join('machines', 'connector.ts'))));
    assert.ok(CITATION.test('Ticks never pass through here (DESIGN §2).'));
    assert.ok(CITATION.test('one WebSocket for one group of coins (design §4.2).'));
    assert.ok(CITATION.test('(STYLE: fastify-style codes)'));
  });

  test('no source file cites DESIGN / STYLE documents that are not in the repository', () => {
    const hits = all.flatMap((f) =>
      readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (CITATION.test(line) ? [`${f.slice(repo.length)}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(hits, []);
  });

  test('every docs/architecture.md#anchor cited in the sources exists', () => {
    const doc = readFileSync(join(repo, 'docs', 'architecture.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    const cited = all.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/docs\/architecture\.md#([a-z0-9-]+)/g)].map((m) => `${f.slice(repo.length)} → #${m[1]}`));
    assert.ok(cited.length > 10, 'the sources point at the architecture');
    const missing = cited.filter((c) => !anchors.has(c.split('#')[1]));
    assert.deepEqual(missing, []);
  });
});
