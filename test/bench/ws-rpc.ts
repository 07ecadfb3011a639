/**
 * JSON-RPC over CometBFT's /websocket endpoint for the e2e load generator (`BENCH_TRANSPORT=ws`),
 * on the `ws` package. CometBFT v0.38's websocket handler takes one request per message (no
 * batches), runs them in order per connection and writes one response message per request, so a
 * connection's responses come back in request order: `call` sends n requests and resolves with
 * their n responses joined by ",".
 */
import WebSocket from "ws";

interface Pending {
  left: number;
  readonly texts: string[];
  readonly resolve: (s: string) => void;
  readonly reject: (e: Error) => void;
}

export class WsRpc {
  private readonly pending: Pending[] = [];
  private closedWith?: Error;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => this.onMessage(data.toString()));
    const fail = (e: Error) => {
      this.closedWith ??= e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    ws.on("error", fail);
    ws.on("close", () => fail(new Error("websocket closed")));
  }

  static open(rpc: URL): Promise<WsRpc> {
    const url = new URL("/websocket", rpc);
    url.protocol = rpc.protocol === "https:" ? "wss:" : "ws:";
    return new Promise((resolve, reject) => {
      // No permessage-deflate: txs are random-looking base64, compression would only cost CPU.
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once("open", () => {
        ws.off("error", reject);
        (ws as unknown as { _socket?: { setNoDelay(b: boolean): void } })._socket?.setNoDelay(true);
        resolve(new WsRpc(ws));
      });
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`websocket upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  /** Sends the requests (one message each) and resolves with their responses, joined by ",". */
  call(requests: readonly string[]): Promise<string> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.pending.push({ left: requests.length, texts: [], resolve, reject });
      for (const r of requests) this.ws.send(r);
    });
  }

  close(): void {
    this.ws.terminate();
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
