/**
 * Replays a `tickvisor run --inspect-file FILE` recording into the Stately inspector:
 *
 *   npx tsx examples/replay-inspection.ts inspection.jsonl [ws://localhost:8080]
 *
 * with the relay running (README: "Watching the actors"). Sends every line, waits until the
 * socket has passed them on, and exits.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createInspector } from '@statelyai/inspect';
import WebSocket from 'ws';
import { InspectionReplay } from '../src/inspect/replay.js';
import { safeStringify } from '../src/inspect/safe-json.js';

const [file, url = 'ws://localhost:8080'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx examples/replay-inspection.ts FILE [ws://localhost:8080]\n');
  process.exit(2);
}

const ws = new WebSocket(url);
await new Promise<void>((resolve, reject) => {
  ws.once('open', () => resolve());
  ws.once('error', (error) => reject(new Error(`no Stately inspector relay at ${url}: ${error.message}`)));
}).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});

let flushed: Promise<void> = Promise.resolve();
const inspector = createInspector({
  start() {},
  stop() {},
  send: (event) => {
    // the callback of the last send fires once everything before it has gone out
    flushed = new Promise<void>((resolve) => ws.send(safeStringify(event), () => resolve()));
  },
});
const replay = new InspectionReplay(inspector);
let sent = 0;
let skipped = 0;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (replay.line(line)) sent++;
  else skipped++;
}
await flushed;
ws.close(1000, 'replay done');
process.stdout.write(`replayed ${sent} inspection events to ${url} (${skipped} lines with nothing to show)\n`);
