import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { AbciServer, type AbciApplication } from "./server";
import { encodeFrame, FrameDecoder } from "./framing";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** An app whose CheckTx answers asynchronously with a delay chosen by the tx's first byte. */
function fakeApp(log: string[]): AbciApplication {
  const notUsed = (): never => {
    throw new Error("not used in this test");
  };
  return {
    info: () => ({ data: "fake", version: "1", appVersion: 0n, lastBlockHeight: 7n, lastBlockAppHash: new Uint8Array([1, 2]) }),
    initChain: notUsed,
    query: (req) => {
      if (req.path === "/boom") throw new Error("query exploded");
      return { code: 0, log: "", info: "", index: 0n, key: req.data, value: req.data, height: 7n, codespace: "" };
    },
    checkTx: async (req) => {
      log.push(`start ${req.tx[0]}`);
      await new Promise((r) => setTimeout(r, req.tx[0]! % 5));
      log.push(`end ${req.tx[0]}`);
      return { code: req.tx[0]!, data: req.tx, log: "", info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" };
    },
    prepareProposal: notUsed,
    processProposal: notUsed,
    extendVote: notUsed,
    verifyVoteExtension: notUsed,
    finalizeBlock: notUsed,
    commit: notUsed,
    listSnapshots: () => ({ snapshots: [] }),
    offerSnapshot: notUsed,
    loadSnapshotChunk: notUsed,
    applySnapshotChunk: notUsed,
  };
}

/** A raw client: write frames, read decoded responses. */
async function client(addr: { port?: number; path?: string }): Promise<{
  sock: net.Socket;
  send(reqs: Request[]): void;
  read(n: number): Promise<Response[]>;
  closed: Promise<void>;
}> {
  const sock = addr.path ? net.connect(addr.path) : net.connect(addr.port!, "127.0.0.1");
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const dec = new FrameDecoder();
  const got: Response[] = [];
  let waiter: (() => void) | undefined;
  sock.on("data", (c) => {
    for (const f of dec.push(c)) got.push(Response.decode(f));
    waiter?.();
  });
  const closed = new Promise<void>((r) => sock.once("close", () => r()));
  return {
    sock,
    closed,
    send: (reqs) => sock.write(Buffer.concat(reqs.map((r) => encodeFrame(Request.encode(r).finish()))) as Uint8Array),
    read: async (n) => {
      while (got.length < n) await new Promise<void>((r) => (waiter = r));
      return got.splice(0, n);
    },
  };
}

describe("ABCI socket server", () => {
  let server: AbciServer;
  const log: string[] = [];

  beforeAll(async () => {
    server = new AbciServer({ address: "tcp://127.0.0.1:0", app: fakeApp(log), logger: silent });
    await server.listen();
  });
  afterAll(() => server.close());

  test("pipelined CheckTx burst + Flush: answered in request order with matching types", async () => {
    const c = await client({ port: server.port });
    const txs = [9, 3, 7, 1, 0, 4, 8, 2, 6, 5];
    c.send([...txs.map((b) => ({ checkTx: { tx: new Uint8Array([b]), type: 0 } })), { flush: {} }]);
    const res = await c.read(txs.length + 1);
    expect(res.slice(0, -1).map((r) => r.checkTx?.code)).toEqual(txs);
    expect(res[res.length - 1]!.flush).toEqual({});
    // handlers never overlapped (global app lock)
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]!.replace("start", "end"));
    c.sock.destroy();
  });

  test("Echo, Info and Query on one connection, split into 1-byte writes", async () => {
    const c = await client({ port: server.port });
    const wire = Buffer.concat(
      [{ echo: { message: "hi" } }, { info: { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } }, { flush: {} }].map(
        (r: Request) => encodeFrame(Request.encode(r).finish()),
      ),
    );
    for (const b of wire) c.sock.write(Buffer.from([b]) as Uint8Array);
    const [echo, info, flush] = await c.read(3);
    expect(echo!.echo?.message).toBe("hi");
    expect(info!.info?.lastBlockHeight).toBe(7n);
    expect(flush!.flush).toBeDefined();
    c.sock.destroy();
  });

  test("a 25 MB request (larger than a 22 MB block) in one frame is read and answered", async () => {
    const c = await client({ port: server.port });
    const tx = Buffer.alloc(25 * 1024 * 1024, 0xab);
    tx[0] = 3;
    c.send([{ checkTx: { tx, type: 0 } }, { flush: {} }]);
    const [r, f] = await c.read(2);
    expect(r!.checkTx?.code).toBe(3);
    expect(Buffer.from(r!.checkTx!.data).equals(tx)).toBe(true);
    expect(f!.flush).toBeDefined();
    c.sock.destroy();
  });

  test("a garbage frame closes only that connection; others keep working", async () => {
    const good = await client({ port: server.port });
    const bad = await client({ port: server.port });
    bad.sock.write(Buffer.from("ffffffffffffffff", "hex") as Uint8Array);
    await bad.closed;
    const bad2 = await client({ port: server.port });
    bad2.sock.write(encodeFrame(Buffer.from("this is not protobuf at all")) as Uint8Array);
    await bad2.closed;
    const bad3 = await client({ port: server.port });
    bad3.sock.write(encodeFrame(Buffer.from([0xfa, 0x07, 0x00])) as Uint8Array); // unknown field 127: no method
    await bad3.closed;
    good.send([{ echo: { message: "still here" } }, { flush: {} }]);
    const [echo] = await good.read(2);
    expect(echo!.echo?.message).toBe("still here");
    good.sock.destroy();
  });

  test("a throwing handler yields Response.exception then closes the connection; the server survives", async () => {
    const c = await client({ port: server.port });
    c.send([{ query: { path: "/boom", data: new Uint8Array(), height: 0n, prove: false } }, { flush: {} }]);
    const [r] = await c.read(1);
    expect(r!.exception?.error).toMatch(/query exploded/);
    await c.closed;
    const c2 = await client({ port: server.port });
    c2.send([{ query: { path: "/ok", data: new Uint8Array([5]), height: 0n, prove: false } }, { flush: {} }]);
    const [q] = await c2.read(1);
    expect(q!.query?.value).toEqual(new Uint8Array([5]));
    c2.sock.destroy();
  });
});

test("unix socket listener", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "abci-"));
  const sockPath = path.join(dir, "app.sock");
  const s = new AbciServer({ address: `unix://${sockPath}`, app: fakeApp([]), logger: silent });
  await s.listen();
  const c = await client({ path: sockPath });
  c.send([{ echo: { message: "unix" } }, { flush: {} }]);
  const [e] = await c.read(2);
  expect(e!.echo?.message).toBe("unix");
  c.sock.destroy();
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a flood of synchronous CheckTx on one connection does not starve another connection's request", async () => {
  let checked = 0;
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      /* spin: a CPU-bound CheckTx */
    }
  };
  const app = {
    ...fakeApp([]),
    checkTx: () => {
      busy(1);
      checked++;
      return { code: 0, data: new Uint8Array(), log: "", info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" };
    },
  };
  const s = new AbciServer({ address: "tcp://127.0.0.1:0", app, logger: silent });
  await s.listen();
  const mempool = await client({ port: s.port });
  const consensus = await client({ port: s.port });
  const n = 400;
  try {
    mempool.send([...Array.from({ length: n }, () => ({ checkTx: { tx: new Uint8Array([1]), type: 0 } })), { flush: {} }]);
    await new Promise((r) => setTimeout(r, 20)); // the flood is being served
    consensus.send([{ info: { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } }, { flush: {} }]);
    const [info] = await consensus.read(2);
    const checkedWhenInfoAnswered = checked;
    expect(info!.info?.lastBlockHeight).toBe(7n);
    expect(checkedWhenInfoAnswered).toBeLessThan(n / 2); // served within a few ms, not after the ~400 ms flood
    const res = await mempool.read(n + 1);
    expect(res.slice(0, n).every((r) => r.checkTx?.code === 0)).toBe(true);
    expect(res[n]!.flush).toBeDefined();
  } finally {
    mempool.sock.destroy();
    consensus.sock.destroy();
    await s.close();
  }
});

test("a synchronous CheckTx never runs inside an async handler of another connection (global lock)", async () => {
  const order: string[] = [];
  const app = {
    ...fakeApp([]),
    commit: async () => {
      order.push("commit start");
      await new Promise((r) => setTimeout(r, 30));
      order.push("commit end");
      return { retainHeight: 0n };
    },
    checkTx: () => {
      order.push("check");
      return { code: 0, data: new Uint8Array(), log: "", info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" };
    },
  };
  const s = new AbciServer({ address: "tcp://127.0.0.1:0", app, logger: silent });
  await s.listen();
  const consensus = await client({ port: s.port });
  const mempool = await client({ port: s.port });
  try {
    consensus.send([{ commit: {} }, { flush: {} }]);
    await new Promise((r) => setTimeout(r, 10)); // commit is awaiting
    mempool.send([{ checkTx: { tx: new Uint8Array([1]), type: 0 } }, { flush: {} }]);
    const [check] = await mempool.read(2);
    const [commit] = await consensus.read(2);
    expect(check!.checkTx?.code).toBe(0);
    expect(commit!.commit?.retainHeight).toBe(0n);
    expect(order).toEqual(["commit start", "commit end", "check"]);
    // and with the lock free again, CheckTx answers straight away
    mempool.send([{ checkTx: { tx: new Uint8Array([2]), type: 1 } }, { flush: {} }]);
    const [again] = await mempool.read(2);
    expect(again!.checkTx?.code).toBe(0);
    expect(order).toEqual(["commit start", "commit end", "check", "check"]);
  } finally {
    consensus.sock.destroy();
    mempool.sock.destroy();
    await s.close();
  }
});
