/**
 * ABCI 2.0 socket server for CometBFT v0.38 (TCP or unix socket).
 *
 * CometBFT opens four connections (query, snapshot, mempool, consensus) that can only be told
 * apart by their traffic, so requests are dispatched by type, never by accept order.
 *
 * Guarantees:
 * - Per connection, every request is answered in order with the response of the matching type
 *   (CometBFT's client checks the head of its FIFO); Flush is answered after every earlier
 *   response has been written.
 * - All application handlers run one at a time across all connections (a global lock, like
 *   the Go server's appMtx), so an async Commit can never interleave with a CheckTx or Query.
 * - Fairness: a backlog of requests on one connection (a CheckTx flood on the mempool
 *   connection) never delays another connection's request (PrepareProposal, FinalizeBlock) by
 *   more than ~one request: pumps yield to the event loop every few ms.
 * - A malformed frame or an undecodable request closes only that connection, with a log line;
 *   the process keeps serving the others. We never answer with an empty Response.
 * - A handler that throws is a bug in the app: it is answered with Response.exception (CometBFT
 *   then stops and says so) and the connection is closed, like the Go server.
 */
import * as net from "node:net";
import * as fs from "node:fs";
import {
  Request,
  Response,
  type RequestApplySnapshotChunk,
  type RequestCheckTx,
  type RequestCommit,
  type RequestExtendVote,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestListSnapshots,
  type RequestLoadSnapshotChunk,
  type RequestOfferSnapshot,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type RequestVerifyVoteExtension,
  type ResponseApplySnapshotChunk,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseExtendVote,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
  type ResponseVerifyVoteExtension,
} from "cosmjs-types/tendermint/abci/types";
import { FrameDecoder, FramingError, MAX_FRAME_BYTES } from "./framing";
import { decodeCheckTxRequest, encodeResponseFrame, FLUSH_RESPONSE_FRAME, FrameBatch, isFlushRequest } from "./codec";
import type { Logger } from "../app/types";

type MaybePromise<T> = T | Promise<T>;

/** The application side of ABCI 2.0 (Echo and Flush are answered by the server itself). */
export interface AbciApplication {
  info(req: RequestInfo): MaybePromise<ResponseInfo>;
  initChain(req: RequestInitChain): MaybePromise<ResponseInitChain>;
  query(req: RequestQuery): MaybePromise<ResponseQuery>;
  checkTx(req: RequestCheckTx): MaybePromise<ResponseCheckTx>;
  prepareProposal(req: RequestPrepareProposal): MaybePromise<ResponsePrepareProposal>;
  processProposal(req: RequestProcessProposal): MaybePromise<ResponseProcessProposal>;
  extendVote(req: RequestExtendVote): MaybePromise<ResponseExtendVote>;
  verifyVoteExtension(req: RequestVerifyVoteExtension): MaybePromise<ResponseVerifyVoteExtension>;
  finalizeBlock(req: RequestFinalizeBlock): MaybePromise<ResponseFinalizeBlock>;
  commit(req: RequestCommit): MaybePromise<ResponseCommit>;
  listSnapshots(req: RequestListSnapshots): MaybePromise<ResponseListSnapshots>;
  offerSnapshot(req: RequestOfferSnapshot): MaybePromise<ResponseOfferSnapshot>;
  loadSnapshotChunk(req: RequestLoadSnapshotChunk): MaybePromise<ResponseLoadSnapshotChunk>;
  applySnapshotChunk(req: RequestApplySnapshotChunk): MaybePromise<ResponseApplySnapshotChunk>;
}

/** Request oneof field name → handler; the Response field has the same name. */
const METHODS = [
  "echo",
  "flush",
  "info",
  "initChain",
  "query",
  "checkTx",
  "commit",
  "listSnapshots",
  "offerSnapshot",
  "loadSnapshotChunk",
  "applySnapshotChunk",
  "prepareProposal",
  "processProposal",
  "extendVote",
  "verifyVoteExtension",
  "finalizeBlock",
] as const;
export type AbciMethod = (typeof METHODS)[number];

/** The single method set in `req`, or an error message when none or several are set. */
export function requestMethod(req: Request): AbciMethod | string {
  let found: AbciMethod | undefined;
  for (const m of METHODS) {
    if (req[m] !== undefined) {
      if (found) return `request sets two methods (${found}, ${m})`;
      found = m;
    }
  }
  return found ?? "request has no known method (empty or unknown oneof field)";
}

export interface AbciServerOptions {
  /** "tcp://127.0.0.1:26658", "127.0.0.1:26658" or "unix:///path/app.sock". */
  readonly address: string;
  readonly app: AbciApplication;
  readonly logger: Logger;
  readonly maxFrameBytes?: number;
  /** Called after each handled request (metrics). */
  readonly onRequest?: (method: AbciMethod, seconds: number) => void;
}

/**
 * Serializes work: `run` starts `fn` only after every earlier `run` settled. When nothing is in
 * flight, `fn` runs at once and a synchronous result is returned as is (no promise, no microtask
 * hop: CheckTx is synchronous and arrives thousands of times a second).
 */
class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  /** Runs `fn.call(self, arg)` (no closure per call). */
  run<A, T>(fn: (a: A) => MaybePromise<T>, self: unknown, arg: A): MaybePromise<T> {
    if (this.inFlight === 0) {
      const v = fn.call(self, arg); // a throw propagates synchronously to the caller
      if (!(v instanceof Promise)) return v;
      return this.track(v);
    }
    return this.track(this.tail.then(() => fn.call(self, arg)));
  }
  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight++;
    const done = p.finally(() => this.inFlight--);
    this.tail = done.catch(() => undefined);
    return done;
  }
}

let connectionCounter = 0;

/** A connection's pump yields to the event loop after this much time of back-to-back requests. */
const YIELD_MS = 2;

export class AbciServer {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly appLock = new SerialLock();
  private readonly log: Logger;
  private unixPath?: string;

  constructor(private readonly opts: AbciServerOptions) {
    this.log = opts.logger;
  }

  /** Listens; resolves once bound (rejects with an actionable message when the address is taken). */
  async listen(): Promise<void> {
    const server = net.createServer((s) => this.onConnection(s));
    this.server = server;
    const addr = parseAddress(this.opts.address);
    if (addr.kind === "unix") {
      this.unixPath = addr.path;
      if (fs.existsSync(addr.path)) fs.unlinkSync(addr.path); // stale socket from a killed run
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        if (err.code === "EADDRINUSE") {
          reject(new Error(`ABCI address ${this.opts.address} is already in use: stop the other process or pick another --abci address`));
        } else reject(err);
      };
      server.once("error", onError);
      const done = (): void => {
        server.off("error", onError);
        server.on("error", (e) => this.log.error({ err: e.message }, "abci server error"));
        resolve();
      };
      if (addr.kind === "unix") server.listen(addr.path, done);
      else server.listen(addr.port, addr.host, done);
    });
    this.log.info({ address: this.opts.address }, "ABCI server listening");
  }

  /** The bound TCP port (useful with port 0). */
  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === "object" ? a.port : undefined;
  }

  /** Stops accepting, closes every connection, waits for in-flight handlers to finish. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await this.appLock.run(() => undefined, undefined, undefined);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.unixPath && fs.existsSync(this.unixPath)) fs.unlinkSync(this.unixPath);
  }

  private onConnection(socket: net.Socket): void {
    const id = ++connectionCounter;
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : "unix";
    const log = this.log;
    log.debug({ conn: id, peer }, "ABCI connection opened");
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(this.opts.maxFrameBytes ?? MAX_FRAME_BYTES);
    const queue: Buffer[] = [];
    let running = false;
    let closed = false;

    const drop = (reason: string, flushFirst = false): void => {
      if (closed) return;
      closed = true;
      queue.length = 0;
      log.warn({ conn: id, peer, reason }, `ABCI connection ${id} closed: ${reason}`);
      if (flushFirst) socket.end();
      else socket.destroy();
    };

    // A run of queued requests (a CheckTx flood) is handled back to back and its answers gathered
    // into one buffer (`out`), written once when the run ends, yields or awaits; but every
    // YIELD_MS the pump writes and yields to the event loop: otherwise awaiting already-settled
    // handlers never leaves the microtask queue, other connections' data is not even read, and a
    // PrepareProposal/FinalizeBlock waits behind the whole mempool backlog (seen: 13 s, proposals
    // timing out). With the yield, a consensus request waits for at most one in-flight request
    // per other connection (the app lock is FIFO).
    const out = new FrameBatch();
    const flushOut = (): void => {
      if (out.length > 0 && !closed) socket.write(out.take());
    };
    // Not an async function: a CheckTx that arrives alone (CometBFT's usual write: one CheckTx + its
    // Flush) is answered without a promise; `run` goes asynchronous only to yield or to wait for
    // an async handler, and `running` stays true until the queue is drained.
    const pump = (): void => {
      if (running) return;
      running = true;
      run();
    };
    const run = (): void => {
      const started = performance.now();
      try {
        while (queue.length > 0 && !closed) {
          if (performance.now() - started >= YIELD_MS) {
            flushOut();
            setImmediate(run);
            return;
          }
          const body = queue.shift()!;
          // CometBFT's client sends a Flush after nearly every request (see README): answer it
          // with a constant frame, no decode, no handler.
          if (isFlushRequest(body)) {
            out.append(FLUSH_RESPONSE_FRAME);
            continue;
          }
          let req: Request;
          const checkTx = decodeCheckTxRequest(body);
          if (checkTx) req = { checkTx };
          else {
            try {
              req = Request.decode(body);
            } catch (e) {
              flushOut();
              drop(`undecodable request (${body.length} bytes): ${(e as Error).message}`);
              break;
            }
          }
          const method = checkTx ? "checkTx" : requestMethod(req);
          if (!(METHODS as readonly string[]).includes(method)) {
            flushOut();
            drop(`malformed request: ${method}`);
            break;
          }
          const pending = this.handle(method as AbciMethod, req, id);
          if (pending instanceof Promise) {
            flushOut(); // earlier answers (Flush included) leave before a long handler
            void pending.then((res) => (answerOrDrop(method, res) ? run() : done()));
            return;
          }
          if (!answer(method, pending)) break;
        }
      } catch (e) {
        // A bug in this loop (handlers never throw here): close this connection, keep the process.
        drop(`internal error: ${(e as Error)?.message ?? String(e)}`);
      }
      done();
    };
    const done = (): void => {
      flushOut();
      running = false;
    };
    const answerOrDrop = (method: string, res: Response): boolean => {
      try {
        return answer(method, res);
      } catch (e) {
        drop(`internal error: ${(e as Error)?.message ?? String(e)}`);
        return false;
      }
    };
    /** Queues the answer; false when the connection is (now) closed. */
    const answer = (method: string, res: Response): boolean => {
      if (closed) return false;
      if (res.checkTx !== undefined) out.appendCheckTx(res.checkTx); // this.answer() builds {checkTx} and nothing else
      else {
        flushOut(); // a big FinalizeBlock answer is written as is, not copied into the batch
        socket.write(encodeResponseFrame(res));
      }
      if (res.exception) {
        flushOut();
        drop(`app error answering ${method}: ${res.exception.error}`, true);
        return false;
      }
      if (out.length >= 64 * 1024) flushOut();
      return true;
    };

    socket.on("data", (chunk: Buffer) => {
      if (closed) return;
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        drop(e instanceof FramingError ? `malformed frame: ${e.message}` : String(e));
        return;
      }
      if (frames.length === 0) return;
      for (const f of frames) queue.push(f);
      pump();
    });
    socket.on("error", (err) => log.debug({ conn: id, err: err.message }, "ABCI socket error"));
    socket.on("close", () => {
      this.sockets.delete(socket);
      if (!closed) {
        closed = true;
        log.debug({ conn: id, peer }, `ABCI connection ${id} closed by peer`);
      }
    });
  }

  /** Answers one request; never throws or rejects. Synchronous when the app lock is free and the handler is. */
  private handle(method: AbciMethod, req: Request, conn: number): MaybePromise<Response> {
    if (method === "flush") return { flush: {} };
    if (method === "echo") return { echo: { message: req.echo!.message } };
    // performance.now(): a double, no bigint and no closure per request (CheckTx comes thousands of times a second).
    const t0 = this.opts.onRequest ? performance.now() : 0;
    try {
      const app = this.opts.app as unknown as Record<string, (r: unknown) => MaybePromise<unknown>>;
      const value = this.appLock.run(app[method]!, this.opts.app, req[method]);
      if (value instanceof Promise) {
        return value.then(
          (v) => this.answer(method, conn, t0, v),
          (e: unknown) => this.failed(conn, method, e),
        );
      }
      return this.answer(method, conn, t0, value);
    } catch (e) {
      return this.failed(conn, method, e);
    }
  }

  private answer(method: AbciMethod, conn: number, t0: number, value: unknown): Response {
    if (value === undefined || value === null) return this.failed(conn, method, new Error(`handler ${method} returned nothing`));
    if (this.opts.onRequest) this.opts.onRequest(method, (performance.now() - t0) / 1e3);
    return method === "checkTx" ? { checkTx: value as ResponseCheckTx } : ({ [method]: value } as Response);
  }

  private failed(conn: number, method: AbciMethod, e: unknown): Response {
    const msg = e instanceof Error ? e.message : String(e);
    this.log.error({ conn, method, err: msg, stack: e instanceof Error ? e.stack : undefined }, `ABCI ${method} failed`);
    return { exception: { error: `${method}: ${msg}` } };
  }
}

export type ParsedAddress = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

/** Parses a CometBFT proxy_app style address. */
export function parseAddress(address: string): ParsedAddress {
  if (address.startsWith("unix://")) return { kind: "unix", path: address.slice("unix://".length) };
  const rest = address.startsWith("tcp://") ? address.slice("tcp://".length) : address;
  const i = rest.lastIndexOf(":");
  const host = i >= 0 ? rest.slice(0, i) : "127.0.0.1";
  const port = Number(i >= 0 ? rest.slice(i + 1) : rest);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid ABCI address "${address}": expected tcp://host:port or unix:///path`);
  }
  return { kind: "tcp", host: host || "0.0.0.0", port };
}
