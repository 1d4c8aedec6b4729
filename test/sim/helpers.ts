/** Test helpers: a recording WebSocket client on loopback and a bounded wait. */
import { WebSocket, type ClientOptions } from 'ws';

export interface Recorder {
  ws: WebSocket;
  /** every frame received, as text */
  frames: string[];
  /** parsed JSON frames (non-JSON frames appear as undefined) */
  json(): unknown[];
  binaryCount: number;
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  send(value: unknown): void;
  close(): Promise<void>;
}

export async function connect(url: string, options: ClientOptions = {}): Promise<Recorder> {
  const ws = new WebSocket(url, options);
  const frames: string[] = [];
  let binaryCount = 0;
  let closedFlag = false;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      closedFlag = true;
      resolve({ code, reason: reason.toString() });
    });
  });
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) binaryCount++;
    frames.push(data.toString('utf8'));
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const rec: Recorder = {
    ws,
    frames,
    get binaryCount() {
      return binaryCount;
    },
    json: () =>
      frames.map((f) => {
        try {
          return JSON.parse(f) as unknown;
        } catch {
          return undefined;
        }
      }),
    closed,
    isClosed: () => closedFlag,
    send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    close: async () => {
      if (!closedFlag) {
        ws.close();
        await closed;
      }
    },
  };
  return rec;
}

/** polls `cond` every few ms until it holds; rejects after `timeoutMs` (loopback I/O only) */
export async function waitFor(cond: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function getJson(url: string): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, headers: res.headers, body };
}

/** a settable clock for rate-limit and fault windows */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void; set: (t: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (v) => (t = v) };
}
