/**
 * Server-side WebSocket framing (RFC 6455 §5.2: FIN set, unmasked) for many frames at once.
 * Writing one buffer holding N frames costs one socket write instead of N `ws.send` calls,
 * which is what lets one connection carry 300k+ trades/s. The bytes on the wire are the same
 * frames `ws.send` would produce; ws itself still owns pings, pongs and the closing handshake.
 */
const OPCODE = { text: 0x1, binary: 0x2 } as const;

export function encodeFrames(frames: readonly string[], type: 'text' | 'binary'): Buffer {
  const first = 0x80 | OPCODE[type];
  const lengths = new Array<number>(frames.length);
  let total = 0;
  for (let i = 0; i < frames.length; i++) {
    const len = Buffer.byteLength(frames[i]!, 'utf8');
    lengths[i] = len;
    total += len + (len < 126 ? 2 : len < 65536 ? 4 : 10);
  }
  const buf = Buffer.allocUnsafe(total);
  let o = 0;
  for (let i = 0; i < frames.length; i++) {
    const len = lengths[i]!;
    buf[o++] = first;
    if (len < 126) {
      buf[o++] = len;
    } else if (len < 65536) {
      buf[o++] = 126;
      buf.writeUInt16BE(len, o);
      o += 2;
    } else {
      buf[o++] = 127;
      buf.writeUInt32BE(Math.floor(len / 2 ** 32), o);
      buf.writeUInt32BE(len >>> 0, o + 4);
      o += 8;
    }
    o += buf.write(frames[i]!, o, 'utf8');
  }
  return buf;
}
