/**
 * Benchmark (a), in process: FinalizeBlock + Commit of blocks of pre-signed MsgSends from funded
 * accounts, on top of a store holding many other accounts. Real App, real wiring, real IAVL store
 * on LevelDB. Prints tx/s and ms per block, for two cases per block:
 *   "warm": the node saw every tx in CheckTx first (signatures cached, as on a real validator);
 *   "cold": FinalizeBlock verifies every signature (txs it never saw).
 *
 *   npm run bench:tx                                   # 1,000,000 accounts, 10,000 tx/block, 3+3 blocks
 *   BENCH_ACCOUNTS=100000 BENCH_TXS=2000 BENCH_BLOCKS=2 npm run bench:tx     # quick run
 *   BENCH_DIR=.bench/state npm run bench:tx           # keep/reuse the 1M-account store between runs
 *   BENCH_PROFILE=1 ...                                # .cpuprofile (100 µs) of the last block's FinalizeBlock+Commit per mode
 *   BENCH_MODES=warm ...                               # only the warm (or cold) blocks
 *   BENCH_ARENA=0 ...                                  # live store trees as IavlTree objects (1 = node arena; unset = store default, the arena)
 *   BENCH_HEAP_SNAPSHOT=1 ...                          # a heap snapshot after the last block (.bench/; npx tsx test/bench/heapsummary.ts <file>)
 *   BENCH_RECIPIENTS=filled ...                        # each block pays 10,000 never-seen filled accounts (cold keys every block)
 *   BENCH_PREFETCH=1 ...                               # read-ahead of the txs' keys at CheckTx/ProcessProposal (chain/app/prefetch.ts; the node's "storePrefetch", off by default)
 *   BENCH_PREFETCH_PATHS=0 ...                         # read ahead values only, not the written keys' tree paths
 *
 * Requests are driven like CometBFT's socket: one event-loop turn (setImmediate) after each CheckTx,
 * then ProcessProposal with the block's txs, a turn, then FinalizeBlock (never waiting for reads
 * in flight: the line per block says how much of the prefetch had landed, and how many landed path
 * nodes were installed into the tree between requests, when FinalizeBlock began).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Session } from "node:inspector";
import { PerformanceObserver, performance } from "node:perf_hooks";
import * as v8 from "node:v8";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { App, appStoreNames } from "../../chain/app/app";
import { ModuleManager } from "../../chain/app/manager";
import { createContext } from "../../chain/app/context";
import { defaultAppState } from "../../chain/app/genesis";
import { buildModules, buildTxRunner } from "../../chain/app/wiring";
import { buildTxPrefetcher } from "../../chain/app/prefetch";
import type { PrefetchStats } from "../../chain/store/prefetch";
import { DEFAULT_ARENA, DEFAULT_HASH_WORKER, openMultiStore } from "../../chain/store";
import { completePrefixesFor } from "../../chain/node/storeranges";
import { toBech32 } from "../../chain/crypto/address";
import { AuthKeeper } from "../../modules/auth/keeper";
import { BankKeeper } from "../../modules/bank/keeper";
import { allocateGenesisAccounts } from "../../modules/bank/genesis";
import { accountKey } from "../../modules/auth/keys";
import { encodeAccount } from "../../modules/auth/account";
import { balanceKey, encodeAmount, supplyKey, decodeAmount } from "../../modules/bank/keys";
import { blockReq, buildSignedTx, keyFromSeed, msgSend, silent, type Key } from "../helpers/txkit";

// Counts LevelDB point reads per measured block: fast-index values ('f' records: value-cache
// misses) and everything else (IAVL nodes loaded on demand, commit bookkeeping).
let levelReads = 0;
let valueReads = 0;
{
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = (require("classic-level") as { ClassicLevel: { prototype: { getSync: (...a: unknown[]) => unknown } } }).ClassicLevel.prototype;
  const getSync = proto.getSync;
  proto.getSync = function (this: unknown, ...a: unknown[]) {
    levelReads++;
    if ((a[0] as Uint8Array)[0] === 0x66) valueReads++;
    return getSync.apply(this, a);
  };
}

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const TXS = Number(process.env.BENCH_TXS ?? 10_000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 3);
const CHAIN_ID = "hashgrid-bench-1";
const FILL_CHUNK = 50_000;
const ARENA = process.env.BENCH_ARENA === undefined ? DEFAULT_ARENA : process.env.BENCH_ARENA === "1";
// BENCH_HASH_WORKER=1: inner nodes hashed on a worker thread, the node's `storeHashWorker` setting (arena only).
const HASH_WORKER = process.env.BENCH_HASH_WORKER === undefined ? DEFAULT_HASH_WORKER : process.env.BENCH_HASH_WORKER === "1";

/**
 * CPU ms of this process's threads by name from /proc (Linux; clock ticks, 10 ms resolution):
 * tells the main thread from libuv/LevelDB background threads (compaction) and V8's GC helpers.
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${t}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
      const name = t === String(process.pid) ? "main" : `${fs.readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim()}#${t}`;
      out.set(name, (out.get(name) ?? 0) + ticks * 10);
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

function threadCpuDelta(a: Map<string, number>, b: Map<string, number>): string {
  const parts: string[] = [];
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0);
    if (d > 0) parts.push(`${k} ${d}`);
  }
  return parts.join(", ");
}

/**
 * Main-thread GC pauses by kind (PerformanceObserver 'gc' entries). Entries arrive late (after the
 * synchronous CheckTx loop, sometimes after the next phase began), so each one is assigned to a
 * window by its start time, not by when it was delivered.
 */
const gcEntries: { start: number; ms: number; kind: string }[] = [];
const GC_KINDS: Record<number, string> = { 1: "scavenge", 2: "minor-ms", 4: "mark-compact", 8: "incremental", 16: "weakcb" };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? "other";
    gcEntries.push({ start: e.startTime, ms: e.duration, kind });
  }
}).observe({ entryTypes: ["gc"] });
/** GC pauses that started in [from, to) (performance.now() times); forgets everything before `to`. */
function gcBetween(from: number, to: number): string {
  const by = new Map<string, { n: number; ms: number }>();
  for (const e of gcEntries) {
    if (e.start < from || e.start >= to) continue;
    const g = by.get(e.kind) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += e.ms;
    by.set(e.kind, g);
  }
  const keep = gcEntries.filter((e) => e.start >= to);
  gcEntries.length = 0;
  gcEntries.push(...keep);
  return [...by].map(([k, g]) => `${g.n} ${k} ${g.ms.toFixed(0)} ms`).join(", ") || "none";
}

/** Heap after the block: used, young generation capacity (semi-spaces), external (ArrayBuffers). */
function heapLine(): string {
  const h = v8.getHeapStatistics();
  const ns = v8.getHeapSpaceStatistics().find((x) => x.space_name === "new_space");
  const mb = (n: number) => (n / 1048576).toFixed(0);
  return `heap used ${mb(h.used_heap_size)} MB, new space ${mb(ns?.space_size ?? 0)} MB, external ${mb(h.external_memory)} MB`;
}

/** Live-tree memory per store (arena mode: slots live / capacity), from the store's internals. */
function treeStats(store: unknown): string {
  const stores = (store as { stores?: Map<string, { tree: { tree?: { arena?: { liveSlots: number; capacity: number } } } }> }).stores;
  if (stores === undefined) return "";
  const parts: string[] = [];
  for (const [n, s] of stores) {
    const a = s.tree.tree?.arena;
    if (a !== undefined && a.liveSlots > 1000) parts.push(`${n} ${a.liveSlots}/${a.capacity}`);
  }
  return parts.length > 0 ? `arena slots live/capacity: ${parts.join(", ")}` : "";
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const dir = process.env.BENCH_DIR ? path.resolve(process.env.BENCH_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-bench-"));
  const reuse = fs.existsSync(path.join(dir, "bench.json"));
  console.log(`bench:tx  accounts=${ACCOUNTS} txs/block=${TXS} blocks=${BLOCKS}x2 arena=${ARENA ? 1 : 0} hash-worker=${HASH_WORKER ? 1 : 0} dir=${dir}${reuse ? " (reusing state)" : ""}`);
  const wiring = buildModules({ logger: silent });
  const manager = new ModuleManager(wiring.modules, wiring.order);
  const tOpen = process.hrtime.bigint();
  const storeNames = appStoreNames(manager);
  // As the node opens it (chain/node/start.ts); BENCH_COMPLETE=0 reads the marker range from LevelDB instead.
  const completePrefixes = process.env.BENCH_COMPLETE === "0" ? {} : completePrefixesFor(storeNames);
  // BENCH_PREFETCH_CHUNK / BENCH_PREFETCH_INFLIGHT: the prefetcher's batch size and batches in flight (A/B of its bounds).
  const prefetchOpts = { chunk: process.env.BENCH_PREFETCH_CHUNK ? Number(process.env.BENCH_PREFETCH_CHUNK) : undefined, maxInFlight: process.env.BENCH_PREFETCH_INFLIGHT ? Number(process.env.BENCH_PREFETCH_INFLIGHT) : undefined, paths: process.env.BENCH_PREFETCH_PATHS !== "0" };
  const store = await openMultiStore({ dir: path.join(dir, "data"), storeNames, arena: ARENA, completePrefixes, hashWorker: HASH_WORKER, prefetch: prefetchOpts });
  const os0 = (store as unknown as { openStats?: { warmUpMs: number; stores: Record<string, { loaded: number; leaves: number; reserved: number }> } }).openStats;
  const warm = os0 === undefined ? "" : Object.entries(os0.stores).filter(([, w]) => w.loaded > 1).map(([n, w]) => `${n} ${w.loaded} nodes of ${w.leaves} leaves, ${w.reserved} slots reserved`).join("; ");
  console.log(`opened the store in ${ms(tOpen).toFixed(0)} ms, of it warm-up ${os0?.warmUpMs.toFixed(0) ?? "-"} ms (${warm}) ${treeStats(store)}`);
  const txRunner = buildTxRunner({ router: manager, modules: wiring.modules, logger: silent, minGasPrices: "0.0025ugrid" });
  // As the node wires it with "storePrefetch": true (chain/node/start.ts; off by default); BENCH_PREFETCH=1 turns it on.
  const prefetch = process.env.BENCH_PREFETCH === "1" ? buildTxPrefetcher(store, txRunner) : undefined;
  const app = new App({ store, manager, txRunner, logger: silent, prefetch });
  const pf = (store as unknown as { prefetcher?: { stats: PrefetchStats; pending: number; installPending: number } }).prefetcher;
  const aheadUsed = (): number => {
    let n = 0;
    for (const s of (store as unknown as { stores: Map<string, { loader: { aheadUsed: number } }> }).stores.values()) n += s.loader.aheadUsed;
    return n;
  };
  const turn = () => new Promise<void>((r) => setImmediate(r));
  const senders: Key[] = Array.from({ length: TXS }, (_, i) => keyFromSeed(`bench-sender-${i}`));
  const auth = new AuthKeeper();
  const bank = new BankKeeper(auth);
  let height = BigInt(store.lastCommit.version);

  const progressFile = path.join(dir, "bench.json");
  let filled = reuse ? (JSON.parse(fs.readFileSync(progressFile, "utf8")) as { filled: number }).filled : 0;
  if (!reuse) {
    const t0 = process.hrtime.bigint();
    const appState = defaultAppState(manager) as Parameters<typeof allocateGenesisAccounts>[0] & Record<string, unknown>;
    allocateGenesisAccounts(appState, senders.map((k) => ({ address: k.address, amount: 1_000_000_000n })));
    app.initChain({
      time: { seconds: 1_700_000_000n, nanos: 0 },
      chainId: CHAIN_ID,
      consensusParams: { block: { maxBytes: 104857600n, maxGas: -1n } },
      validators: [],
      appStateBytes: Buffer.from(JSON.stringify(appState)),
      initialHeight: 1n,
    });
    height = 1n;
    app.finalizeBlock(blockReq(height, []));
    await app.commit();
    console.log(`genesis with ${TXS} funded senders: ${ms(t0).toFixed(0)} ms`);
    if (process.env.BENCH_DIR) fs.writeFileSync(progressFile, JSON.stringify({ filled: 0 }));
  }
  if (filled < ACCOUNTS) {
    // Fill: other accounts with a balance each (2 keys per account), written straight to the store,
    // one commit per chunk. Resumable (BENCH_DIR + bench.json), so a 1M-account store can be built
    // over several short runs (BENCH_FILL_SECONDS bounds one run's filling).
    const t1 = process.hrtime.bigint();
    const budget = Number(process.env.BENCH_FILL_SECONDS ?? 1e9) * 1000;
    const start0 = filled;
    let nextNumber = auth.peekNextAccountNumber({ store: (n: string) => store.getStore(n) } as never);
    for (let start = filled; start < ACCOUNTS; start += FILL_CHUNK) {
      const b = store.branch();
      const a = b.getStore("auth");
      const k = b.getStore("bank");
      const n = Math.min(FILL_CHUNK, ACCOUNTS - start);
      for (let i = 0; i < n; i++) {
        const addr = new Uint8Array(20);
        new DataView(addr.buffer).setUint32(0, Math.imul(0x9e3779b9, start + i + 1) >>> 0);
        new DataView(addr.buffer).setUint32(4, start + i);
        a.set(accountKey(addr), encodeAccount({ address: addr, accountNumber: nextNumber++, sequence: 0n }));
        k.set(balanceKey(addr, "ugrid"), encodeAmount(1000n));
      }
      const supply = decodeAmount(k.get(supplyKey("ugrid"))!);
      k.set(supplyKey("ugrid"), encodeAmount(supply + 1000n * BigInt(n)));
      const nn = new Uint8Array(8);
      new DataView(nn.buffer).setBigUint64(0, nextNumber);
      a.set(new Uint8Array([0x02]), nn);
      b.write();
      height++;
      app.finalizeBlock(blockReq(height, []));
      await app.commit();
      filled = start + n;
      if (process.env.BENCH_DIR) fs.writeFileSync(progressFile, JSON.stringify({ filled }));
      process.stdout.write(`\rfilling: ${filled}/${ACCOUNTS} accounts (${(ms(t1) / 1000).toFixed(0)} s)`);
      if (ms(t1) > budget && filled < ACCOUNTS) {
        process.stdout.write("\n");
        console.log(`fill budget reached at ${filled} accounts; run again with the same BENCH_DIR to continue`);
        await store.close();
        return;
      }
    }
    process.stdout.write("\n");
    console.log(`filled ${filled - start0} accounts in ${(ms(t1) / 1000).toFixed(1)} s (${Math.round(((filled - start0) * 1000) / ms(t1))} accounts/s, 2 keys each)`);
  }

  // Account numbers and sequences of the senders.
  const view = createContext({ header: { height, time: { seconds: 0n, nanos: 0 }, chainId: CHAIN_ID, proposer: new Uint8Array() }, mode: "genesis", store: store.branch(), logger: silent });
  const info = senders.map((s) => auth.getAccount(view, s.addrBytes)!);
  const recipients = senders.map((_, i) => senders[(i * 7919 + 1) % senders.length].address);
  // BENCH_RECIPIENTS=filled: each block pays 10,000 different filled accounts, none seen before in the
  // run (like real traffic on a big state: cold recipient reads and tree paths in every block).
  const freshRecipients = process.env.BENCH_RECIPIENTS === "filled";
  let signedBlocks = 0;
  const filledAddress = (j: number): string => {
    const addr = new Uint8Array(20);
    new DataView(addr.buffer).setUint32(0, Math.imul(0x9e3779b9, j + 1) >>> 0);
    new DataView(addr.buffer).setUint32(4, j);
    return toBech32(addr);
  };
  const recipientOf = (i: number): string =>
    freshRecipients ? filledAddress(((signedBlocks * TXS + i) * 104_729) % filled) : recipients[i]!;

  const signBlock = (): Uint8Array[] => {
    const t0 = process.hrtime.bigint();
    const txs = senders.map((s, i) => {
      const tx = buildSignedTx({
        key: s,
        msgs: [msgSend(s.address, recipientOf(i), 1n)],
        chainId: CHAIN_ID,
        accountNumber: info[i].accountNumber,
        sequence: info[i].sequence,
        fee: { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n },
      }).bytes;
      info[i].sequence += 1n;
      return tx;
    });
    signedBlocks++;
    console.log(`  signed ${txs.length} txs in ${ms(t0).toFixed(0)} ms`);
    return txs;
  };

  const session = process.env.BENCH_PROFILE ? new Session() : undefined;
  const post = (m: string, params?: object) => new Promise<unknown>((r) => session!.post(m, params ?? {}, (_e, p) => r(p)));
  if (session) {
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 100 });
  }
  const results: { mode: string; check: number; finalize: number; commit: number; ok: number; cpuMs: number }[] = [];
  const modes = (process.env.BENCH_MODES ?? "warm,cold").split(",").filter((m): m is "warm" | "cold" => m === "warm" || m === "cold");
  for (const mode of modes) {
    for (let b = 0; b < BLOCKS; b++) {
      const txs = signBlock();
      let check = 0;
      let checkCpu = 0; // process CPU of the CheckTx phase, event-loop turns (prefetch landing) included
      let checkThreads = "";
      const pfBefore = pf === undefined ? undefined : { ...pf.stats };
      if (mode === "warm") {
        const t0 = process.hrtime.bigint();
        let inCheck = 0;
        const cc0 = process.cpuUsage();
        const tc0 = threadCpu();
        for (const tx of txs) {
          const c0 = process.hrtime.bigint();
          const r = app.checkTx({ tx, type: CheckTxType.NEW });
          inCheck += ms(c0);
          if (r.code !== 0) throw new Error(`CheckTx failed: ${r.log}`);
          await turn(); // the socket server's turn between requests (prefetch reads land here)
        }
        check = inCheck;
        const cc = process.cpuUsage(cc0);
        checkCpu = (cc.user + cc.system) / 1000;
        checkThreads = threadCpuDelta(tc0, threadCpu());
      }
      height++;
      const used0 = aheadUsed();
      await turn();
      const pp = app.processProposal({ ...blockReq(height, txs), proposedLastCommit: { round: 0, votes: [] } } as never);
      if (pp.status !== 1) throw new Error(`ProcessProposal rejected the block`);
      await turn();
      const pfAtStart = pf === undefined ? undefined : { ...pf.stats, pending: pf.pending, installPending: pf.installPending };
      const profiled = session !== undefined && b === BLOCKS - 1;
      if (profiled) await post("Profiler.start");
      const reads0 = levelReads;
      const values0 = valueReads;
      const heapBefore = heapLine();
      const th0 = threadCpu();
      const c0 = process.cpuUsage();
      const t1 = process.hrtime.bigint();
      const p1 = performance.now();
      const res = app.finalizeBlock(blockReq(height, txs));
      const finalize = ms(t1);
      const th1 = threadCpu();
      const t2 = process.hrtime.bigint();
      await app.commit();
      const commit = ms(t2);
      const cu = process.cpuUsage(c0);
      const cpuMs = (cu.user + cu.system) / 1000;
      const p2 = performance.now();
      await new Promise((r) => setTimeout(r, 20)); // let the GC entries of the block arrive
      const gc = gcBetween(p1, p2);
      const threads = `FinalizeBlock: ${threadCpuDelta(th0, th1)} | Commit: ${threadCpuDelta(th1, threadCpu())}`;
      if (profiled) {
        const f = path.resolve(".bench", `tx-inprocess-${process.pid}-${mode}.cpuprofile`);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, JSON.stringify(((await post("Profiler.stop")) as { profile: object }).profile));
        console.log(`  profile of this block's FinalizeBlock + Commit: ${f}`);
      }
      let pfLine = "";
      if (pf !== undefined && pfBefore !== undefined && pfAtStart !== undefined) {
        const d = (k: keyof PrefetchStats) => pfAtStart[k] - pfBefore[k];
        pfLine =
          `\n    prefetch at FinalizeBlock start: ${d("queued")} keys queued, ${pfAtStart.pending} still waiting/in flight, ${d("dropped")} dropped; ` +
          `values ${d("valueReads")} read, ${d("valuesFilled")} filled, ${d("valuesDiscarded")} discarded; pages ${d("pageReads")} read, ${d("nodesLanded")} nodes landed, ${d("installed")} installed in ${d("installTurns")} turns (max ${pfAtStart.installMaxTurn}/turn), ${pfAtStart.installPending} keys still to install; ${d("failed")} failed` +
          ` | nodes loaded from prefetched bodies in the block: ${aheadUsed() - used0}`;
      }
      // Where Commit's wall time goes (RootMultiStore.lastCommitStats: hash = workingHash wait, encode = save + batch building, write = LevelDB batch write).
      const cs = (store as unknown as { lastCommitStats?: { hashMs: number; encodeMs: number; pruneMs: number; writeMs: number; ops: number; bytes: number } }).lastCommitStats;
      const commitLine = cs === undefined ? "" : `\n    store commit: hash ${cs.hashMs.toFixed(0)} + encode ${cs.encodeMs.toFixed(0)} + prune ${cs.pruneMs.toFixed(0)} + write ${cs.writeMs.toFixed(0)} ms (${cs.ops} ops, ${(cs.bytes / 1e6).toFixed(1)} MB); app commit total ${commit.toFixed(0)} ms`;
      const ok = res.txResults.filter((r) => r.code === 0).length;
      if (ok !== txs.length) throw new Error(`only ${ok}/${txs.length} txs succeeded: ${res.txResults.find((r) => r.code !== 0)?.log}`);
      results.push({ mode, check, finalize, commit, ok, cpuMs });
      console.log(
        `  ${mode} block ${height}: ${ok} txs  CheckTx ${check.toFixed(0)} ms (phase process CPU ${checkCpu.toFixed(0)} ms) | FinalizeBlock ${finalize.toFixed(0)} ms + Commit ${commit.toFixed(0)} ms = ${(finalize + commit).toFixed(0)} ms → ${Math.round((ok * 1000) / (finalize + commit))} tx/s (process CPU ${cpuMs.toFixed(0)} ms; LevelDB getSync: ${valueReads - values0} values + ${levelReads - reads0 - (valueReads - values0)} other; load avg ${os.loadavg()[0].toFixed(1)})\n    thread CPU ms: ${checkThreads === "" ? "" : `CheckTx phase: ${checkThreads} | `}${threads}\n    main-thread GC pauses: ${gc}\n    before the block: ${heapBefore}; after: ${heapLine()}; ${treeStats(store)}${pfLine}${commitLine}`,
      );
    }
  }
  for (const mode of modes) {
    const r = results.filter((x) => x.mode === mode);
    const fin = r.reduce((s, x) => s + x.finalize, 0) / r.length;
    const com = r.reduce((s, x) => s + x.commit, 0) / r.length;
    const chk = r.reduce((s, x) => s + x.check, 0) / r.length;
    const cpuMs = r.reduce((s, x) => s + x.cpuMs, 0) / r.length;
    console.log(
      `RESULT ${mode}: ${TXS} tx/block on ${ACCOUNTS} accounts: FinalizeBlock ${fin.toFixed(0)} ms + Commit ${com.toFixed(0)} ms = ${(fin + com).toFixed(0)} ms/block → ${Math.round((TXS * 1000) / (fin + com))} tx/s; process CPU ${cpuMs.toFixed(0)} ms/block (${Math.round((cpuMs * 1000) / TXS)} µs/tx)` +
        (mode === "warm" ? ` (CheckTx beforehand: ${chk.toFixed(0)} ms = ${Math.round((TXS * 1000) / chk)} tx/s)` : ""),
    );
  }
  if (process.env.BENCH_HEAP_SNAPSHOT) {
    // What survives the blocks (README "(a) round 7"): summarise with test/bench/heapsummary.ts.
    const f = v8.writeHeapSnapshot(path.resolve(".bench", `tx-inprocess-${process.pid}.heapsnapshot`));
    console.log(`heap snapshot: ${f}`);
  }
  await store.close();
  if (!process.env.BENCH_DIR) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
