/**
 * The directory of the tickvisor package itself — the repository checkout, or
 * node_modules/tickvisor in an app that installed it — found from this module's own URL, never
 * from process.cwd(): commands that read or write the package's files (docs/state-diagrams.md)
 * must not touch the user's working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'tickvisor';

/** walks up from `fromUrl` (default: this module, in src/ or dist/src/) to tickvisor's package.json */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && nameOf(manifest) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${fileURLToPath(fromUrl)}`);
    dir = parent;
  }
}

function nameOf(manifest: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}
