/**
 * The tickvisor bench child as users run tickvisor: the compiled package (dist/, what `npm start` and
 * the bin run) in a plain node process, not the TypeScript sources through tsx. tsx's loader alone
 * adds ~34 MB of RSS and its transform caches more, so a child on the sources measures the bench's
 * tooling as much as tickvisor. Before the first child: dist/ is rebuilt when any source is newer
 * than it (a stale dist would measure yesterday's code), then the child's own few files are
 * compiled to .bench-build/. BENCH_TICKVISOR=src runs the sources through tsx instead (no build).
 * Either way the child gets the node flags and environment `npm start` runs the CLI with (tickvisorLaunch).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envAssignments } from '../lib/child.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** what a build reads: a change in any of these makes dist/ stale */
const SOURCES = ['src', 'machines', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const DIST_MARK = join(ROOT, 'dist/src/index.js');

let prepared: Promise<string> | undefined;

/**
 * The script to fork for a tickvisor consumer, relative to bench/ (built once per bench run):
 * `tickvisor-child` (trades) or `tickvisor-book-child` (books)
 */
export async function tickvisorChildScript(name: 'tickvisor-child' | 'tickvisor-book-child' = 'tickvisor-child'): Promise<string> {
  if (process.env.BENCH_TICKVISOR === 'src') return `consumers/${name}.ts`;
  prepared ??= prepare();
  return `${await prepared}/${name}.js`;
}

async function prepare(): Promise<string> {
  if (distIsStale()) {
    process.stderr.write('bench: dist/ is missing or older than the sources: npm run build\n');
    run('npm', ['run', '-s', 'build']);
  }
  run('npx', ['tsc', '-p', 'bench/consumers/tsconfig.dist-child.json']);
  return '../.bench-build/bench/consumers';
}

function distIsStale(): boolean {
  let built: number;
  try {
    built = statSync(DIST_MARK).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((s) => newestMtime(join(ROOT, s)) > built);
}

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

function run(cmd: string, args: string[]): void {
  // stdout to our stderr: `--json` keeps stdout for the JSON object alone
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/** How package.json's `start` script launches the collector: node/V8 flags and environment. */
export interface TickvisorLaunch {
  flags: string[];
  env: Record<string, string>;
}

/**
 * The node/V8 flags and the environment of package.json's `start` script (`exec env K=V … node
 * FLAGS bin/tickvisor.js run`): the collector as users start it, so its RSS and CPU are measured
 * with the same young-generation size and the same allocator settings.
 */
export function tickvisorLaunch(): TickvisorLaunch {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.start ?? '';
  const m = /^(?:exec\s+)?(?:env\s+((?:[A-Z_][A-Z0-9_]*=\S*\s+)+))?node\s+(.*?)\s*bin\/tickvisor\.js\b/.exec(start);
  if (!m) throw new Error(`bench: package.json's start script does not run bin/tickvisor.js with node: ${start}`);
  return { flags: (m[2] ?? '').split(/\s+/).filter((f) => f.startsWith('--')), env: envAssignments(m[1] ?? '') };
}
