// The simulated exchange in its own process, so the bench measures only the collector's CPU.
// argv[2]: JSON SimOptions. Prints {"endpoints":{...}} once listening; then reads commands as JSON
// lines on stdin: {"burst":N} → {"burst":"done","sent":N}, {"inject":{...}} → {"injected":true},
// {"rate":{"symbols":[...]}} (setSymbols) → {"rate":"set"}, {"stop":true} → exits.
import { createInterface } from 'node:readline';
import { startSimExchange } from '../src/sim/index.js';
import type { SimOptions } from '../src/sim/index.js';

const options = JSON.parse(process.argv[2]!) as SimOptions;
const sim = await startSimExchange(options);
const venue = options.venues[0]!;
const reply = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
reply({ endpoints: sim.endpoints(venue.exchange, venue.market), port: sim.port });
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line) as { burst?: number; inject?: Parameters<typeof sim.inject>[0]; symbols?: SimOptions['venues'][0]['symbols']; stop?: boolean; truth?: boolean };
  if (cmd.burst !== undefined) {
    void sim.burst(venue.exchange, venue.market, cmd.burst).then(() => reply({ burst: 'done', sent: cmd.burst }));
  } else if (cmd.inject) {
    sim.inject(cmd.inject);
    reply({ injected: true });
  } else if (cmd.symbols) {
    sim.setSymbols(venue.exchange, venue.market, cmd.symbols);
    reply({ rate: 'set' });
  } else if (cmd.truth) {
    reply({ truth: sim.groundTruth().length });
  } else if (cmd.stop) {
    void sim.stop().then(() => process.exit(0));
  }
});
