// Test entry for commands not yet registered in src/cli/main.ts: `run-command.ts <name> [args]`
// runs src/cli/commands/<name>.ts with main()'s handling of a user's mistake (one line, exit 2).
import { isUserError } from '../../src/errors.js';

const [name, ...rest] = process.argv.slice(2);
const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  parse: () => import('../../src/cli/commands/parse.js'),
  'exchange-sim': () => import('../../src/cli/commands/exchange-sim.js'),
};
const load = name === undefined ? undefined : commands[name];
if (!load) {
  process.stderr.write(`run-command: unknown command '${name}'\n`);
  process.exitCode = 2;
} else {
  try {
    process.exitCode = await (await load()).run(rest);
  } catch (error) {
    if (!isUserError(error)) throw error;
    process.stderr.write(`tickvisor ${name}: ${error.message}\n`);
    process.exitCode = 2;
  }
}
