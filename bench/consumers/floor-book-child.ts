// The book floor peer: bare `ws` + JSON.parse + a Map-based book per symbol synced by Binance's
// rules (lib/floor-book.ts), its REST snapshots through fetch. An update counts once applied to
// its book. Nothing else: no validation, no records, no store.
import WebSocket from 'ws';
import type { TopBooks } from '../lib/book-compare.js';
import { burstHandlers } from '../lib/burst-handlers.js';
import { FloorBook, type DepthEvent, type DepthSnapshot } from '../lib/floor-book.js';
import { serve } from '../lib/protocol.js';

interface StartArg {
  wsUrl: string;
  restUrl: string;
  /** unified symbols (BTC/USDT) */
  symbols: string[];
}

const books = new Map<string, FloorBook>();
const unified = new Map<string, string>();
const fetching = new Set<string>();
let restUrl = '';
let socket: WebSocket | undefined;
let fetchErrors = 0;

const applied = () => {
  let n = 0;
  for (const b of books.values()) n += b.applied;
  return n;
};

function snapshot(nativeId: string): void {
  if (fetching.has(nativeId)) return;
  fetching.add(nativeId);
  void fetch(`${restUrl}/api/v3/depth?symbol=${nativeId}&limit=1000`)
    .then(async (res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as DepthSnapshot;
    })
    .then(
      (s) => {
        fetching.delete(nativeId);
        if (!books.get(nativeId)!.seed(s)) snapshot(nativeId);
      },
      () => {
        fetchErrors++;
        setTimeout(() => {
          fetching.delete(nativeId);
          snapshot(nativeId);
        }, 500);
      },
    );
}

function start(arg: StartArg): Promise<boolean> {
  restUrl = arg.restUrl;
  for (const s of arg.symbols) {
    const id = s.replace('/', '');
    books.set(id, new FloorBook());
    unified.set(id, s);
  }
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(arg.wsUrl, { perMessageDeflate: false });
    socket = ws;
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: [...books.keys()].map((id) => `${id.toLowerCase()}@depth@100ms`), id: 1 })));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as DepthEvent & { e?: string; s?: string; id?: number };
      if (msg.e === 'depthUpdate') {
        const book = books.get(msg.s!);
        if (book && !book.onEvent(msg)) snapshot(msg.s!);
      } else if (msg.id === 1) {
        for (const id of books.keys()) snapshot(id);
        resolve(true);
      }
    });
  });
}

serve(
  {
    start,
    ...burstHandlers(applied),
    synced: () => [...books.values()].filter((b) => b.synced).length,
    books: (depth: number) => {
      const out: TopBooks = {};
      for (const [id, b] of books) out[unified.get(id)!] = b.top(depth);
      return out;
    },
    diagnostics: () => ({ resyncs: [...books.values()].reduce((n, b) => n + b.resyncs, 0), fetchErrors }),
  },
  () => {
    socket?.terminate();
  },
);
