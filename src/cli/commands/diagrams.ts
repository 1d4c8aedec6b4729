/**
 * `tickvisor diagrams`: regenerate the package's docs/state-diagrams.md from the machines (or
 * --check it). The default file is the one inside the tickvisor package (found from this module's
 * URL), so an installed copy checks its own shipped diagrams and never writes into the user's
 * working directory; only --out writes elsewhere.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stateDiagramsMarkdown } from '../../diagrams/document.js';
import { packageRoot } from '../../package-root.js';
import { parseArgs, usage } from '../args.js';

export const help = `tickvisor diagrams [--out FILE] [--check]

Writes one Mermaid stateDiagram-v2 per machine and the supervision tree, generated from the
machine definitions, to the package's own docs/state-diagrams.md (or FILE).
  --check   write nothing; exit 1 when the file differs from what the machines generate`;

/** the diagrams file shipped with the package */
export const defaultDiagramsPath = (): string => join(packageRoot(), 'docs', 'state-diagrams.md');

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('diagrams', () =>
    parseArgs({ args: argv, options: { out: { type: 'string' }, check: { type: 'boolean' } }, strict: true }),
  );
  const out = values.out ?? defaultDiagramsPath();
  const text = stateDiagramsMarkdown();
  if (values.check) {
    const current = await readFile(out, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${out} is out of date: run npx tickvisor diagrams\n`);
      return 1;
    }
    process.stdout.write(`${out} is up to date\n`);
    return 0;
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}
