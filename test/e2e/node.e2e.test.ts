/**
 * The node against a real CometBFT v0.38.25: fresh start, queries, graceful restart, kill -9 of
 * the app, of both processes and of CometBFT alone, and a garbage frame on the ABCI port.
 * The e2e counter module (helpers/counterModule.ts) changes the AppHash every block, so a wrong
 * recovery shows up as CometBFT's "wrong Block.Header.AppHash" halt (the chain stops growing).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { startTestNet, type TestNet } from "./helpers/devnet";
import type { NodeRunner } from "../../chain/node/network";
import { sleep } from "../../chain/node/network";

jest.setTimeout(180_000);

const COUNTER = path.join(__dirname, "helpers", "counterModule.ts");
const timings: Record<string, number> = {};
let tnet: TestNet;
let node: NodeRunner;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[label] = Date.now() - t0;
  }
}

async function height(): Promise<number> {
  return (await tnet.status())?.height ?? 0;
}

/** /abci_info's AppHash at H must equal the header AppHash of block H+1 (CometBFT e2e TestApp_Hash). */
async function checkInfoMatchesHeader(): Promise<void> {
  const info = await tnet.rpc<{ response: { last_block_height: string; last_block_app_hash: string } }>("/abci_info");
  const h = Number(info.response.last_block_height);
  await tnet.waitForHeight(h + 1);
  const block = await tnet.rpc<{ block: { header: { app_hash: string } } }>(`/block?height=${h + 1}`);
  expect(Buffer.from(info.response.last_block_app_hash, "base64").toString("hex").toUpperCase()).toBe(block.block.header.app_hash);
}

async function waitExit(n: NodeRunner, proc: "app" | "cometbft", ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!n.isRunning(proc)) return true;
    await sleep(100);
  }
  return false;
}

/** Restarts whatever is down and checks the chain grows `blocks` past `before` (the height seen before the crash). */
async function recoverAndAdvance(before: number, blocks: number): Promise<void> {
  expect(before).toBeGreaterThan(0);
  if (!node.isRunning("app")) await node.start(); // app, then CometBFT
  if (!node.isRunning("cometbft")) node.startCometbft();
  const st = await tnet.waitForHeight(before + blocks, 90_000);
  expect(st.height).toBeGreaterThanOrEqual(before + blocks);
}

beforeAll(async () => {
  tnet = await timed("init+start", () => startTestNet({ validators: 1, timeoutCommit: "200ms", appArgs: ["--dev-extra-modules", COUNTER] }));
  node = tnet.nodes[0]!;
});

afterAll(async () => {
  if (!tnet) return;
  // "CONSENSUS FAILURE" alone is expected: killing the app mid-FinalizeBlock resets CometBFT's connection.
  const cometLog = node.logTail("cometbft", 1_000_000);
  await tnet.stop();
  const mismatches = cometLog.split("\n").filter((l) => /wrong Block\.Header\.AppHash|AppHash does not match|app block height \(\d+\) is higher/.test(l));
  expect(mismatches).toEqual([]);
  // eslint-disable-next-line no-console
  console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
});

test("a fresh devnet reaches height 10", async () => {
  const st = await timed("fresh→h10", () => tnet.waitForHeight(10, 90_000));
  expect(st.height).toBeGreaterThanOrEqual(10);
  const genesis = await tnet.rpc<{ genesis: { chain_id: string; app_state: { bank: { balances: { address: string; coins: { denom: string; amount: string }[] }[] } } } }>(
    "/genesis",
  );
  expect(genesis.genesis.chain_id).toBe(tnet.chainId);
  // The default genesis also funds module accounts (insurance pool, rewards reserve, community pool).
  const funded = genesis.genesis.app_state.bank.balances.filter((b) => tnet.devAddresses.includes(b.address));
  expect(funded.map((b) => b.address)).toEqual(tnet.devAddresses); // every dev account, once, in order
  for (const b of funded) expect(b.coins).toEqual([{ denom: "ugrid", amount: "1000000000000" }]);
});

test("Info's AppHash equals the next header's AppHash; queries are routed and carry a height", async () => {
  await checkInfoMatchesHeader();
  const q = await tnet.rpc<{ response: { code: number; value: string; height: string } }>(`/abci_query?path="/hashgrid.e2e.v1.Query/Count"`);
  expect(q.response.code).toBe(0);
  const counted = Number(Buffer.from(q.response.value, "base64").toString());
  expect(counted).toBe(Number(q.response.height));
  const unknown = await tnet.rpc<{ response: { code: number; codespace: string; height: string } }>(`/abci_query?path="/nope.v1.Query/X"`);
  expect([unknown.response.code, unknown.response.codespace]).toEqual([6, "sdk"]);
  expect(Number(unknown.response.height)).toBeGreaterThan(0);
  const proof = await tnet.rpc<{ response: { code: number; value: string; proofOps?: { ops: { type: string }[] } } }>(
    `/abci_query?path="store/e2ecounter/key"&data=0x${Buffer.from("n").toString("hex")}&prove=true`,
  );
  expect(proof.response.code).toBe(0);
  expect(proof.response.proofOps?.ops.map((o) => o.type)).toEqual(["ics23:iavl", "ics23:simple"]);
  const metrics = await (await fetch(`http://${node.spec.host}:${node.spec.ports.metrics}/metrics`)).text();
  expect(metrics).toMatch(/hashgrid_block_height \d+/);
  expect(metrics).toMatch(/hashgrid_abci_request_seconds_count\{method="finalizeBlock"\} [1-9]\d*/); // per-method child, cached in start.ts
});

test("graceful stop (SIGTERM) and restart continues from where it stopped", async () => {
  await timed("graceful restart", async () => {
    await node.stop();
    const stoppedAt = Number(
      JSON.parse(fs.readFileSync(path.join(node.spec.home, "cometbft", "data", "priv_validator_state.json"), "utf8")).height,
    );
    await node.start();
    const st = await tnet.waitForHeight(stoppedAt + 5, 60_000);
    expect(st.height).toBeGreaterThanOrEqual(stoppedAt + 5);
  });
  await checkInfoMatchesHeader();
});

test("kill -9 of the app alone: CometBFT stops, both restart, no AppHash mismatch", async () => {
  for (let i = 0; i < 2; i++) {
    await tnet.waitForHeight((await height()) + 2 + i);
    await sleep(37 * (i + 1)); // vary the moment inside the block
    const before = await height();
    await node.kill("app", "SIGKILL");
    // CometBFT terminates itself when an ABCI connection dies ("Did the application crash?")
    const cometStopped = await waitExit(node, "cometbft", 20_000);
    if (!cometStopped) await node.kill("cometbft", "SIGTERM");
    await timed(`recover after app kill -9 #${i}`, () => recoverAndAdvance(before, 5));
  }
  await checkInfoMatchesHeader();
});

test("kill -9 of both processes: the chain recovers with the same AppHashes", async () => {
  for (let i = 0; i < 2; i++) {
    await tnet.waitForHeight((await height()) + 2);
    await sleep(53 * (i + 1));
    const before = await height();
    await Promise.all([node.kill("cometbft", "SIGKILL"), node.kill("app", "SIGKILL")]);
    await timed(`recover after both kill -9 #${i}`, () => recoverAndAdvance(before, 5));
  }
  await checkInfoMatchesHeader();
});

test("kill -9 of CometBFT alone: the app keeps running and serves the restarted node", async () => {
  const appPid = node.pid("app");
  for (let i = 0; i < 2; i++) {
    await tnet.waitForHeight((await height()) + 2);
    await sleep(71 * (i + 1));
    const before = await height();
    await node.kill("cometbft", "SIGKILL");
    await timed(`recover after cometbft kill -9 #${i}`, () => recoverAndAdvance(before, 5));
  }
  expect(node.pid("app")).toBe(appPid);
  await checkInfoMatchesHeader();
});

test("a garbage frame on the ABCI port closes that connection only; the app and the chain keep going", async () => {
  const appPid = node.pid("app");
  const h0 = await height();
  for (const garbage of [Buffer.from("ffffffffffffffffff", "hex"), Buffer.from(`GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: e2e-garbage\r\nAccept: */*\r\nX-Pad: ${"x".repeat(80)}\r\n\r\n`), Buffer.from([0x05, 1, 2, 3, 4, 5])]) {
    const closed = await new Promise<boolean>((resolve) => {
      const s = net.connect(node.spec.ports.abci, node.spec.host, () => s.write(garbage as Uint8Array));
      s.on("data", () => {});
      s.once("close", () => resolve(true));
      s.once("error", () => {});
      const timer = setTimeout(() => {
        s.destroy();
        resolve(false);
      }, 5000);
      s.once("close", () => clearTimeout(timer));
    });
    expect(closed).toBe(true);
  }
  await tnet.waitForHeight(h0 + 3);
  expect(node.isRunning("app")).toBe(true);
  expect(node.pid("app")).toBe(appPid);
  expect(node.logTail("app", 200)).toMatch(/malformed/);
});
