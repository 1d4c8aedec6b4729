/**
 * Server-sent events (text/event-stream) to any number of browsers: one `event:`/`data:` frame per
 * push, the same serialized payload for every client, clients dropped as soon as they disconnect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class EventStreamHub {
  private readonly clients = new Set<ServerResponse>();
  private seq = 0;

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response; `first` is sent at once so a new page needs no wait. */
  add(req: IncomingMessage, res: ServerResponse, first?: { event: string; data: string }): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // reverse proxies (nginx) must not buffer the stream
      'X-Accel-Buffering': 'no',
    });
    // the browser's reconnect delay after the server went away
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    if (first) this.write(res, first.event, first.data);
  }

  /** `data` must be one line (JSON.stringify without indentation is). */
  send(event: string, data: string): void {
    for (const res of this.clients) this.write(res, event, data);
  }

  closeAll(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(res: ServerResponse, event: string, data: string): void {
    if (res.writableEnded || res.destroyed) {
      this.clients.delete(res);
      return;
    }
    res.write(`event: ${event}\nid: ${++this.seq}\ndata: ${data}\n\n`);
  }
}
