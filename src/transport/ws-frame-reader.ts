/**
 * The receiving half of a WebSocket client (RFC 6455 §5): the bytes a server sends, as they arrive
 * in socket chunks of any size, turned into messages and control frames. Pure: chunks in, calls out.
 *
 * Why our own: a market-data socket carries one small frame per trade, and the generic receiver we
 * used before made three Buffer views and an event per frame before our parser saw a byte — about
 * a sixth of a trade's main-thread time (docs/architecture.md#websocket-client). Here a text frame
 * that sits whole in one chunk (nearly all of them) is offered in place, as bytes of the chunk, to
 * a byte scanner (FrameEvents.textBytes), and otherwise decoded straight from the chunk into the
 * string the parsers read, with nothing allocated in between.
 *
 * What a client must refuse is refused, as the connection-failing close code the RFC names: a
 * masked frame, reserved bits (no extension is negotiated), an unknown opcode, a fragmented or
 * oversized control frame, a continuation with nothing to continue, text that is not UTF-8 (1007),
 * a message over `maxPayload` (1009), a close frame with a bad code or a 1-byte body.
 */
import { isUtf8 } from 'node:buffer';

export interface FrameEvents {
  /**
   * A whole text message's bytes, offered before it is decoded: [start, end) of `bytes`, valid only
   * during the call. True when the receiver took it from the bytes (it must then have checked them:
   * the byte scanners take ASCII only); false, and the message is decoded and given to `text`.
   */
  textBytes?(bytes: Buffer, start: number, end: number): boolean;
  /** a whole text message */
  text(text: string): void;
  /** a whole binary message */
  binary(data: Buffer): void;
  ping(data: Buffer): void;
  pong(data: Buffer): void;
  /** the server's close frame: its code (1005 when it sent none) and reason */
  close(code: number, reason: string): void;
  /** a protocol violation: fail the connection with this close code; nothing more is read */
  fail(code: number, message: string): void;
}

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** close codes a peer may send (RFC 6455 §7.4.1, and the registered 1012–1014) */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export class FrameReader {
  /** bytes received and not yet read: one chunk (the usual case) or several while a frame is incomplete */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** the fragments of a message in progress (opcode of its first frame; -1: none) */
  private fragmentsOp = -1;
  private fragments: Buffer[] = [];
  private fragmentsLength = 0;
  /** a protocol violation, or the server's close frame: nothing after it is read (RFC 6455 §5.5.1) */
  private failed = false;

  constructor(
    private readonly on: FrameEvents,
    /** the largest message accepted, in bytes */
    private readonly maxPayload: number,
  ) {}

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    if (this.buffered === 0) {
      // the usual case: read the chunk in place; keep only what remains of it
      const end = this.readFrames(chunk);
      if (end < chunk.length && !this.failed) {
        this.chunks.push(end === 0 ? chunk : chunk.subarray(end));
        this.buffered = chunk.length - end;
      }
      return;
    }
    const held = this.buffered;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const need = this.frameLength();
    if (need < 0 || this.buffered < need) return;
    if (need === 0) {
      // over the limit: joined, the header is refused by readFrames
      this.readFrames(Buffer.concat(this.chunks, this.buffered));
      return;
    }
    // the frame that was incomplete ends in this chunk: join only its own bytes (the chunk behind
    // it, usually a whole socket read of other frames, is read in place, not copied)
    const taken = need - held;
    const parts = this.chunks;
    parts[parts.length - 1] = chunk.subarray(0, taken);
    this.chunks = [];
    this.buffered = 0;
    this.readFrames(Buffer.concat(parts, need));
    if (taken < chunk.length) this.push(chunk.subarray(taken));
  }

  /** frames read from `buf` from its start; the offset of the first incomplete one */
  private readFrames(buf: Buffer): number {
    let at = 0;
    const n = buf.length;
    while (!this.failed && n - at >= 2) {
      const b0 = buf[at] as number;
      const b1 = buf[at + 1] as number;
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (n - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (n - at < 10) break;
        const high = buf.readUInt32BE(at + 2);
        // a length past 2^53 cannot be a message anyone sends: over any limit
        if (high > 0x1fffff) return this.fail(1009, 'frame length beyond 2^53'), at;
        length = high * 0x100000000 + buf.readUInt32BE(at + 6);
        header = 10;
      }
      if (!this.checkHeader(b0, b1, length)) return at;
      const start = at + header;
      const end = start + length;
      if (end > n) break;
      this.frame(b0 & 0x0f, (b0 & 0x80) !== 0, buf, start, end);
      at = end;
    }
    return at;
  }

  /**
   * The whole length of the first held frame (header and payload); -1 while its header is
   * incomplete; 0 when its payload is over the limit (read it now: readFrames refuses it, rather
   * than chunks piling up for a frame that will never be taken).
   */
  private frameLength(): number {
    if (this.buffered < 2) return -1;
    const byte = (k: number): number => {
      let i = 0;
      let off = k;
      while (off >= (this.chunks[i] as Buffer).length) off -= (this.chunks[i++] as Buffer).length;
      return (this.chunks[i] as Buffer)[off] as number;
    };
    const short = byte(1) & 0x7f;
    const header = short < 126 ? 2 : short === 126 ? 4 : 10;
    if (this.buffered < header) return -1;
    let length = short;
    if (short >= 126) {
      length = 0;
      for (let k = 2; k < header; k++) length = length * 256 + byte(k);
    }
    return length > this.maxPayload ? 0 : header + length;
  }

  private checkHeader(b0: number, b1: number, length: number): boolean {
    const op = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if ((b0 & 0x70) !== 0) return this.fail(1002, 'reserved bits set (no extension was negotiated)');
    if ((b1 & 0x80) !== 0) return this.fail(1002, 'a server frame must not be masked');
    if (op >= 0x8) {
      if (op !== OP_CLOSE && op !== OP_PING && op !== OP_PONG) return this.fail(1002, `unknown control opcode ${op}`);
      if (!fin) return this.fail(1002, 'fragmented control frame');
      if (length > 125) return this.fail(1002, 'control frame over 125 bytes');
      return true;
    }
    if (op !== OP_TEXT && op !== OP_BINARY && op !== OP_CONTINUATION) return this.fail(1002, `unknown opcode ${op}`);
    if (op === OP_CONTINUATION && this.fragmentsOp < 0) return this.fail(1002, 'continuation frame with no message to continue');
    if (op !== OP_CONTINUATION && this.fragmentsOp >= 0) return this.fail(1002, 'new message inside a fragmented one');
    if (length + (op === OP_CONTINUATION ? this.fragmentsLength : 0) > this.maxPayload) return this.fail(1009, `message over ${this.maxPayload} bytes`);
    return true;
  }

  private frame(op: number, fin: boolean, buf: Buffer, start: number, end: number): void {
    if (op === OP_TEXT && fin) {
      this.textFrom(buf, start, end);
      return;
    }
    if (op === OP_BINARY && fin) {
      this.on.binary(buf.subarray(start, end));
      return;
    }
    if (op >= 0x8) {
      this.control(op, buf.subarray(start, end));
      return;
    }
    // a fragment: held until the frame with FIN
    if (op !== OP_CONTINUATION) this.fragmentsOp = op;
    this.fragments.push(buf.subarray(start, end));
    this.fragmentsLength += end - start;
    if (!fin) return;
    const whole = Buffer.concat(this.fragments, this.fragmentsLength);
    const wholeOp = this.fragmentsOp;
    this.fragments = [];
    this.fragmentsLength = 0;
    this.fragmentsOp = -1;
    if (wholeOp === OP_TEXT) this.textFrom(whole, 0, whole.length);
    else this.on.binary(whole);
  }

  private textFrom(buf: Buffer, start: number, end: number): void {
    if (this.on.textBytes?.(buf, start, end) === true) return;
    // (no encoding named: Node goes straight to its UTF-8 decoder, skipping the encoding lookup)
    const text = buf.toString(undefined, start, end);
    // decoding turns bytes that are not UTF-8 into U+FFFD; only then is the frame checked
    // byte by byte (a real U+FFFD is valid UTF-8 and passes)
    if (text.indexOf('\uFFFD') !== -1 && !isUtf8(buf.subarray(start, end))) {
      this.fail(1007, 'text frame is not valid UTF-8');
      return;
    }
    this.on.text(text);
  }

  private control(op: number, body: Buffer): void {
    if (op === OP_PING) this.on.ping(body);
    else if (op === OP_PONG) this.on.pong(body);
    else if (body.length === 0) this.closed(1005, '');
    else if (body.length === 1) this.fail(1002, 'close frame with a 1-byte body');
    else {
      const code = body.readUInt16BE(0);
      if (!validCloseCode(code)) {
        this.fail(1002, `invalid close code ${code}`);
        return;
      }
      const reason = body.subarray(2);
      if (!isUtf8(reason)) {
        this.fail(1007, 'close reason is not valid UTF-8');
        return;
      }
      this.closed(code, reason.toString('utf8'));
    }
  }

  private closed(code: number, reason: string): void {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
    this.on.close(code, reason);
  }

  private fail(code: number, message: string): false {
    if (!this.failed) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      this.on.fail(code, message);
    }
    return false;
  }
}
