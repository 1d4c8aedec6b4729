/**
 * Child side of the bench IPC: named command handlers, one reply per request.
 * Every child answers `ping`; `stop` runs the child's cleanup and exits.
 */
export interface Request {
  id: number;
  command: string;
  arg?: unknown;
}
export type Reply = { id: number; ok: unknown } | { id: number; error: string };

export type Handlers = Record<string, (arg: never) => unknown>;

export function serve(handlers: Handlers, cleanup: () => Promise<void> | void = () => undefined): void {
  if (!process.send) throw new Error('bench child started without an IPC channel');
  const send = (r: Reply) => process.send!(r);
  const stop = async () => {
    try {
      await cleanup();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (req: Request) => {
    if (req.command === 'ping') return send({ id: req.id, ok: 'pong' });
    if (req.command === 'stop') {
      send({ id: req.id, ok: true });
      void stop();
      return;
    }
    const handler = handlers[req.command] as ((arg: unknown) => unknown) | undefined;
    if (!handler) return send({ id: req.id, error: `unknown command ${req.command}` });
    Promise.resolve()
      .then(() => handler(req.arg))
      .then(
        (ok) => send({ id: req.id, ok: ok ?? null }),
        (e: unknown) => send({ id: req.id, error: e instanceof Error ? `${e.message}${'code' in e ? ` (${String(e.code)})` : ''}` : String(e) }),
      );
  });
  // the driver went away: do not linger
  process.on('disconnect', () => void stop());
}
