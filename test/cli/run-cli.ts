// Test entry: the CLI's main() straight from the sources.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
