/**
 * A WebSocket client (RFC 6455) for the exchange feeds: the opening handshake over node:http or
 * node:https, frames read by ws-frame-reader.ts, masked frames written. It offers what a Link
 * uses and nothing else: no extensions (no compression), no subprotocols, text frames delivered as
 * strings (or first offered as bytes, see takeTextBytes). Why not the `ws` package, which the simulator's server still uses: see
 * docs/architecture.md#websocket-client.
 *
 * Behaviour a Link relies on, kept as `ws` had it: 'open' once the handshake is verified; a
 * server ping answered with a pong at once (and reported); a server close frame echoed, then the
 * TCP connection ended; a protocol violation reported as an 'error' and answered with the close
 * code it calls for; 'close' exactly once, last, with the code and reason (1006 and no reason when
 * the connection ended without a close frame).
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { FrameReader } from './ws-frame-reader.js';

export const SOCKET_CONNECTING = 0;
export const SOCKET_OPEN = 1;
export const SOCKET_CLOSING = 2;
export const SOCKET_CLOSED = 3;

/** The socket a Link drives: this client, or a test's fake. */
export interface ClientSocket {
  readonly readyState: number;
  on(event: 'open', listener: () => void): this;
  /** text frames as strings (isBinary false), binary frames as Buffers */
  on(event: 'message', listener: (data: string | Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  removeAllListeners(event: 'message'): this;
  /**
   * Offer every whole text frame to `take` as bytes first ([start, end) of a socket read, valid
   * only during the call); one it takes (true) is neither decoded nor emitted as a 'message'.
   * Optional: a socket without it emits every frame as text.
   */
  takeTextBytes?(take: (bytes: Uint8Array, start: number, end: number) => boolean): void;
  send(text: string): void;
  ping(): void;
  /** stop reading (TCP pushes back to the server) */
  pause(): void;
  resume(): void;
  close(code: number, reason: string): void;
  /** drop the connection now */
  terminate(): void;
}

export interface WsClientOptions {
  /** the largest message accepted, in bytes (a larger one fails the connection with 1009) */
  maxPayload: number;
  /** wss: certificate authorities to trust instead of Node's defaults (a test's own, a proxy's) */
  ca?: string | Buffer;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** after our close frame, how long the server may take to answer before the connection is dropped */
const CLOSE_TIMEOUT_MS = 30_000;

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** one client frame: FIN, the opcode, a fresh mask key (a client must mask), the masked payload */
export function encodeClientFrame(op: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + 4 + length);
  out[0] = 0x80 | op;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 0x10000) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    out.writeUInt32BE(length >>> 0, 6);
  }
  randomFillSync(out, header, 4);
  const body = header + 4;
  for (let i = 0; i < length; i++) out[body + i] = (payload[i] as number) ^ (out[header + (i & 3)] as number);
  return out;
}

export class WsClient extends EventEmitter implements ClientSocket {
  private state = SOCKET_CONNECTING;
  private readonly req: ClientRequest;
  private socket: Socket | undefined;
  private readonly reader: FrameReader;
  private closeSent = false;
  private closeReceived = false;
  private closeCode = 1006;
  private closeReason = '';
  private closeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private textTaker: ((bytes: Uint8Array, start: number, end: number) => boolean) | undefined;

  constructor(url: string, options: WsClientOptions) {
    super();
    const u = new URL(url);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new SyntaxError(`not a WebSocket URL: ${url}`);
    const key = randomBytes(16).toString('base64');
    const secure = u.protocol === 'wss:';
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.reader = new FrameReader(
      {
        textBytes: (bytes, start, end) => this.textTaker !== undefined && this.textTaker(bytes, start, end),
        text: (text) => this.emit('message', text, false),
        binary: (data) => this.emit('message', data, true),
        ping: (data) => {
          if (this.state === SOCKET_OPEN) this.write(OP_PONG, data);
          this.emit('ping', data);
        },
        pong: (data) => this.emit('pong', data),
        close: (code, reason) => this.onCloseFrame(code, reason),
        fail: (code, message) => this.onProtocolError(code, message),
      },
      options.maxPayload,
    );
    this.req = (secure ? httpsRequest : httpRequest)({
      host,
      port: u.port === '' ? (secure ? 443 : 80) : Number(u.port),
      path: `${u.pathname}${u.search}`,
      // a connection of its own, never a pooled keep-alive one
      agent: false,
      // certificates are verified (Node's default); SNI names the host (never an IP address: RFC 6066)
      ...(secure ? { ...(isIP(host) === 0 ? { servername: host } : {}), ...(options.ca !== undefined ? { ca: options.ca } : {}) } : {}),
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
      },
    });
    this.req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(res, socket, head, key));
    this.req.on('response', (res: IncomingMessage) => {
      res.resume();
      this.abort(`Unexpected server response: ${res.statusCode ?? 0}`);
    });
    this.req.on('error', (error: Error) => this.abort(error.message));
    this.req.end();
  }

  get readyState(): number {
    return this.state;
  }

  takeTextBytes(take: (bytes: Uint8Array, start: number, end: number) => boolean): void {
    this.textTaker = take;
  }

  send(text: string): void {
    if (this.state === SOCKET_OPEN) this.write(OP_TEXT, Buffer.from(text, 'utf8'));
  }

  ping(): void {
    if (this.state === SOCKET_OPEN) this.write(OP_PING, Buffer.alloc(0));
  }

  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  close(code: number, reason: string): void {
    if (this.state === SOCKET_CLOSED) return;
    if (this.state === SOCKET_CONNECTING) {
      this.abort('WebSocket was closed before the connection was established');
      return;
    }
    this.sendClose(code, reason);
    if (this.closeReceived) this.socket?.end();
  }

  terminate(): void {
    if (this.state === SOCKET_CLOSED) return;
    if (this.state === SOCKET_CONNECTING) {
      this.abort('WebSocket was closed before the connection was established');
      return;
    }
    this.state = SOCKET_CLOSING;
    this.socket?.destroy();
  }

  private onUpgrade(res: IncomingMessage, socket: Socket, head: Buffer, key: string): void {
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    let refusal: string | undefined;
    if (String(res.headers.upgrade).toLowerCase() !== 'websocket') refusal = 'Invalid Upgrade header';
    else if (res.headers['sec-websocket-accept'] !== accept) refusal = 'Invalid Sec-WebSocket-Accept header';
    else if (res.headers['sec-websocket-extensions'] !== undefined) refusal = 'Server sent a Sec-WebSocket-Extensions header but no extension was requested';
    else if (res.headers['sec-websocket-protocol'] !== undefined) refusal = 'Server sent a subprotocol but none was requested';
    if (refusal !== undefined || this.state !== SOCKET_CONNECTING) {
      socket.destroy();
      if (refusal !== undefined) this.abort(refusal);
      return;
    }
    this.socket = socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    // the server ended its side: nothing more will come; end ours (a close frame, if any, came first)
    socket.on('end', () => socket.end());
    socket.on('close', () => this.finish());
    // a socket error ends the connection; 'close' follows and says 1006 (as the ws package did)
    socket.on('error', () => socket.destroy());
    this.state = SOCKET_OPEN;
    this.emit('open');
    if (head.length > 0 && this.state === SOCKET_OPEN) this.reader.push(head);
  }

  private onCloseFrame(code: number, reason: string): void {
    this.closeReceived = true;
    this.closeCode = code;
    this.closeReason = reason;
    // echo it (no code when it had none), then end the TCP connection: the server closes first
    this.sendClose(code === 1005 ? undefined : code, '');
    this.socket?.end();
  }

  private onProtocolError(code: number, message: string): void {
    this.closeCode = code;
    this.sendClose(code, '');
    this.emit('error', new Error(message));
    // nothing more is read from a peer that broke the protocol; our close frame is flushed, then
    // the connection ends (destroyed after CLOSE_TIMEOUT_MS if the peer never closes its side)
    this.socket?.end();
  }

  private sendClose(code: number | undefined, reason: string): void {
    if (this.closeSent || this.socket === undefined) return;
    this.closeSent = true;
    this.state = SOCKET_CLOSING;
    let body = Buffer.alloc(0);
    if (code !== undefined) {
      const text = Buffer.from(reason, 'utf8').subarray(0, 123);
      body = Buffer.allocUnsafe(2 + text.length);
      body.writeUInt16BE(code, 0);
      text.copy(body, 2);
    }
    if (!this.socket.destroyed) this.socket.write(encodeClientFrame(OP_CLOSE, body));
    this.closeTimer = setTimeout(() => this.socket?.destroy(), CLOSE_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  private write(op: number, payload: Buffer): void {
    const socket = this.socket;
    if (socket !== undefined && !socket.destroyed) socket.write(encodeClientFrame(op, payload));
  }

  /** the handshake failed or was given up: one 'error', then 'close' */
  private abort(message: string): void {
    if (this.state !== SOCKET_CONNECTING) return;
    this.state = SOCKET_CLOSING;
    this.req.destroy();
    this.emit('error', new Error(message));
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = SOCKET_CLOSED;
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.emit('close', this.closeCode, Buffer.from(this.closeReason, 'utf8'));
  }
}
