/**
 * A minimal JSON-RPC client over CometBFT's /websocket endpoint for the e2e load generator
 * (`BENCH_TRANSPORT=ws`). CometBFT v0.38's websocket handler takes one request per message (no
 * batches), runs them in order per connection and writes one response message per request, so a
 * connection's responses come back in request order: `call` sends n requests and resolves with
 * their n responses joined by ",".
 *
 * Only what the benchmark needs: text frames out (masked, as RFC 6455 requires of clients, with a
 * zero key so the payload is sent as is), text/continuation/ping/close frames in.
 */
import * as http from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";

interface Pending {
  left: number;
  readonly texts: string[];
  readonly resolve: (s: string) => void;
  readonly reject: (e: Error) => void;
}

export class WsRpc {
  private readonly pending: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closedWith?: Error;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (c: Buffer) => this.onData(c));
    const fail = (e: Error) => {
      this.closedWith ??= e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("websocket closed")));
  }

  static open(rpc: URL): Promise<WsRpc> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: rpc.hostname,
        port: rpc.port,
        path: "/websocket",
        headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64") },
      });
      req.on("upgrade", (_res, socket: Socket, head: Buffer) => {
        const ws = new WsRpc(socket);
        if (head.length > 0) ws.onData(head);
        resolve(ws);
      });
      req.on("response", (res) => reject(new Error(`websocket upgrade refused: HTTP ${res.statusCode}`)));
      req.on("error", reject);
      req.end();
    });
  }

  /** Sends the requests (one message each) and resolves with their responses, joined by ",". */
  call(requests: readonly string[]): Promise<string> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.pending.push({ left: requests.length, texts: [], resolve, reject });
      const frames = requests.map((r) => frame(0x1, Buffer.from(r)));
      this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + len) return;
      const fin = (b[0]! & 0x80) !== 0;
      const op = b[0]! & 0x0f;
      const payload = b.subarray(at, at + len);
      this.buf = b.subarray(at + len);
      if (op === 0x9) this.socket.write(frame(0xa, payload)); // ping → pong
      else if (op === 0x8) this.socket.end();
      else if (op === 0x1 || op === 0x0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.fragments).toString();
          this.fragments = [];
          this.onMessage(text);
        }
      }
    }
  }

  private onMessage(text: string): void {
    const p = this.pending[0];
    if (!p) return; // a message nobody asked for (none expected: no subscriptions)
    p.texts.push(text);
    if (--p.left === 0) {
      this.pending.shift();
      p.resolve(p.texts.join(","));
    }
  }
}

/** A masked client frame (zero masking key: the payload goes out unchanged). */
function frame(op: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const f = Buffer.alloc(head + 4 + n);
  f[0] = 0x80 | op;
  if (n < 126) f[1] = 0x80 | n;
  else if (n < 65536) {
    f[1] = 0x80 | 126;
    f.writeUInt16BE(n, 2);
  } else {
    f[1] = 0x80 | 127;
    f.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(f, head + 4);
  return f;
}
