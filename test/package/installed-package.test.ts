/**
 * SLOW (about a minute): the package as a new user gets it. `npm pack` (which builds dist/ through
 * `prepare`), `npm install <tarball>` into a temporary app (offline from npm's cache when it can),
 * then: what the tarball holds, a strict typecheck of an app (and that `exchange: 'kraken'` does
 * NOT typecheck), the shipped examples/embed.ts run from node_modules against the simulator, and
 * `tickvisor diagrams` from the installed bin. Skipped, with a note, when npm is not available.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const npmMissing = npmVersion.error !== undefined || npmVersion.status !== 0;
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const tsxCli = join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function run(cmd: string, args: string[], cwd: string, timeout = 180_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
}
const out = (r: SpawnSyncReturns<string>) => `${r.stdout}\n${r.stderr}`;

const APP_OK = `import { createTickvisor, type Trade, type TickvisorConfigInput } from 'tickvisor';
const config: TickvisorConfigInput = {
  exchanges: [{ exchange: 'binance', market: 'spot', simulated: true, sim: { symbols: ['BTC/USDT'] } }],
  metrics: { enabled: false },
};
const tv = createTickvisor(config);
export async function firstTrade(): Promise<Trade | undefined> {
  await tv.start();
  for await (const t of tv.trades({ exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' })) return t;
  return undefined;
}
`;
const APP_BAD = `import { createTickvisor } from 'tickvisor';
createTickvisor({ exchanges: [{ exchange: 'kraken', market: 'spot' }] });
`;
const tsconfig = (file: string) => JSON.stringify({
  compilerOptions: {
    strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true,
    // as `tsc --init` sets it: lmdb's own .d.ts does not compile as an ES module under NodeNext
    skipLibCheck: true, types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')],
  },
  files: [file],
});

describe('the package from outside (npm pack → npm install → typecheck → run) [slow]', { skip: npmMissing ? 'npm is not available: cannot pack and install' : false }, () => {
  let dir = '';
  let app = '';
  let packed: { files: Array<{ path: string }> } | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tickvisor-pack-'));
    const pack = run('npm', ['pack', '--json', '--pack-destination', dir], repo, 300_000);
    assert.equal(pack.status, 0, out(pack));
    const json: unknown = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
    packed = (json as Array<{ files: Array<{ path: string }>; filename: string }>)[0];
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack wrote a tarball');
    app = join(dir, 'app');
    rmSync(app, { recursive: true, force: true });
    spawnSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const install = run('npm', ['install', join(dir, tgz), '--prefer-offline', '--no-audit', '--no-fund'], app, 300_000);
    assert.equal(install.status, 0, out(install));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the tarball holds the build, the examples, the docs and a LICENSE, and no source map without its source', () => {
    const files = (packed?.files ?? []).map((f) => f.path);
    for (const f of ['LICENSE', 'package.json', 'README.md', 'bin/tickvisor.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'examples/embed.ts', 'docs/state-diagrams.md', 'docs/architecture.md']) {
      assert.ok(files.includes(f), `${f} is shipped`);
    }
    const maps = files.filter((f) => f.endsWith('.map'));
    const shipsSources = files.some((f) => f.startsWith('src/'));
    assert.ok(maps.length === 0 || shipsSources, `${maps.length} source maps shipped without src/`);
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('dist/test/')), 'tests are not shipped');
  });

  test('an app typechecks against the installed types under strict, and exchange: \'kraken\' does not', () => {
    writeFileSync(join(app, 'ok.ts'), APP_OK);
    writeFileSync(join(app, 'bad.ts'), APP_BAD);
    writeFileSync(join(app, 'tsconfig.ok.json'), tsconfig('ok.ts'));
    writeFileSync(join(app, 'tsconfig.bad.json'), tsconfig('bad.ts'));
    const ok = run(process.execPath, [tsc, '-p', 'tsconfig.ok.json'], app);
    assert.equal(ok.status, 0, out(ok));
    const bad = run(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], app);
    assert.notEqual(bad.status, 0, 'exchange: \'kraken\' must not typecheck');
    assert.match(out(bad), /bad\.ts\(2,\d+\): error TS2322: Type '"kraken"' is not assignable to type '"binance" \| "upbit" \| "bybit" \| "okx"'/);
  });

  test('the shipped examples/embed.ts runs from node_modules against the simulator', () => {
    const r = run(process.execPath, [tsxCli, 'node_modules/tickvisor/examples/embed.ts'], app, 90_000);
    assert.equal(r.status, 0, out(r));
    assert.match(r.stdout, /live trade \S+ (buy|sell)/);
    assert.ok(Number(/stored BTC\/USDT trades: (\d+)/.exec(r.stdout)?.[1]) > 0, r.stdout);
  });

  test('the installed `tickvisor diagrams` checks its own shipped diagrams and writes nothing into the app', () => {
    const bin = join(app, 'node_modules', '.bin', 'tickvisor');
    const check = run(bin, ['diagrams', '--check'], app, 60_000);
    assert.equal(check.status, 0, out(check));
    const write = run(bin, ['diagrams'], app, 60_000);
    assert.equal(write.status, 0, out(write));
    assert.equal(existsSync(join(app, 'docs')), false, 'no docs/ in the working directory');
  });
});
