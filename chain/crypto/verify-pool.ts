/**
 * Verifies a batch of secp256k1 signatures on this thread and one worker thread at once, and
 * returns synchronously (the main thread blocks on Atomics.wait for the worker's half): ABCI calls
 * are synchronous, and a block's signatures are independent pure checks.
 *
 * Used only to fill the SignatureCache ahead of FinalizeBlock (chain/tx/preverify.ts): a result is
 * a pure function of (sig, digest, pubkey), the ante step still runs every check itself, so a
 * missing, slow or dead worker only costs time — it can never change a tx's outcome.
 */
import { Worker } from "node:worker_threads";
import { isCanonicalLowS, isCompressedPubkeyShape, type Secp256k1Verifier } from "./secp256k1";

export interface VerifyItem {
  readonly sig: Uint8Array;
  readonly digest: Uint8Array;
  readonly pubkey: Uint8Array;
}

const ITEM = 64 + 32 + 33;
/** Longest wait for the worker's half before the main thread does it itself. */
const WAIT_MS = 30_000;

function workerSource(bindingPath: string): string {
  // Plain CommonJS (no TS loader in workers); the same checks as the native verifier. Items are
  // claimed one at a time from a shared counter, so a starved worker never holds up the batch.
  return `
const { parentPort } = require("node:worker_threads");
const native = require(${JSON.stringify(bindingPath)});
parentPort.on("message", (m) => {
  const b = new Uint8Array(m.items);
  const out = new Uint8Array(m.results);
  const ctl = new Int32Array(m.ctl);
  for (;;) {
    const i = Atomics.add(ctl, 0, 1);
    if (i >= m.count) break;
    const o = i * ${ITEM};
    let ok = false;
    try {
      ok = native.ecdsaVerify(b.subarray(o, o + 64), b.subarray(o + 64, o + 96), b.subarray(o + 96, o + ${ITEM}));
    } catch {
      ok = false;
    }
    Atomics.store(out, i, ok ? 1 : 2);
  }
  Atomics.store(ctl, 1, 1);
  Atomics.notify(ctl, 1);
});`;
}

function nativeBindingPath(): string | undefined {
  try {
    return require.resolve("secp256k1/bindings");
  } catch {
    return undefined;
  }
}

export class VerifyPool {
  private worker?: Worker;
  private broken = false;

  /** `verifier` checks this thread's half; the worker uses the native binding (only with `native`). */
  constructor(private readonly verifier: Secp256k1Verifier) {}

  /** True when batches are split across two threads. */
  get parallel(): boolean {
    return this.verifier.name === "native" && !this.broken && nativeBindingPath() !== undefined;
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || !this.parallel) return this.worker;
    try {
      const w = new Worker(workerSource(nativeBindingPath()!), { eval: true });
      w.unref(); // never keeps the process alive
      w.on("error", () => {
        this.broken = true;
        this.worker = undefined;
      });
      this.worker = w;
    } catch {
      this.broken = true;
    }
    return this.worker;
  }

  /** One result per item (true = valid), in order. Never throws for bad items. */
  verifyBatch(items: readonly VerifyItem[]): boolean[] {
    const out: boolean[] = new Array(items.length).fill(false);
    const shaped: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.sig.length === 64 && it.digest.length === 32 && isCompressedPubkeyShape(it.pubkey) && isCanonicalLowS(it.sig)) shaped.push(i);
    }
    const worker = shaped.length >= 64 ? this.ensureWorker() : undefined;
    if (!worker) {
      for (const i of shaped) out[i] = this.verifier.verify(items[i].sig, items[i].digest, items[i].pubkey);
      return out;
    }
    // Both threads claim items from one shared counter (ctl[0]); the worker sets ctl[1] when done.
    const n = shaped.length;
    const packed = new Uint8Array(new SharedArrayBuffer(n * ITEM));
    for (let k = 0; k < n; k++) {
      const it = items[shaped[k]];
      packed.set(it.sig, k * ITEM);
      packed.set(it.digest, k * ITEM + 64);
      packed.set(it.pubkey, k * ITEM + 96);
    }
    const results = new Uint8Array(new SharedArrayBuffer(n));
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    let posted = true;
    try {
      worker.postMessage({ items: packed.buffer, count: n, results: results.buffer, ctl: ctl.buffer });
    } catch {
      this.broken = true;
      posted = false;
    }
    for (;;) {
      const k = Atomics.add(ctl, 0, 1);
      if (k >= n) break;
      const it = items[shaped[k]];
      Atomics.store(results, k, this.verifier.verify(it.sig, it.digest, it.pubkey) ? 1 : 2);
    }
    // At most the worker's current item is still in flight.
    if (posted && Atomics.wait(ctl, 1, 0, WAIT_MS) === "timed-out") this.broken = true;
    for (let k = 0; k < n; k++) {
      const r = Atomics.load(results, k);
      const it = items[shaped[k]];
      // 0: claimed by a worker that never finished it (dead/timed out): verify here.
      out[shaped[k]] = r === 0 ? this.verifier.verify(it.sig, it.digest, it.pubkey) : r === 1;
    }
    return out;
  }

  /** Stops the worker (tests; the worker is unref'd, so processes exit without this). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
