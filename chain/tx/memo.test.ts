/**
 * The pipeline's per-tx shortcuts give exactly what the full path gives: the decode memo (keyed by
 * a hash of the bytes checked by comparing them, or their sha256 past RAW_KEY_MAX) never serves another tx's decode, and
 * ReCheckTx (which builds no events) charges the same gas and makes the same writes as CheckTx.
 */
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { buildModules, buildTxRunner } from "../app/wiring";
import { sha256 } from "../crypto/hash";
import { TxPipeline } from "./runner";
import { BytesMemo, memoHash } from "./decodememo";
import { CHAIN_ID, buildSignedTx, deliverBlock, keyFromSeed, msgSend, newTestChain } from "../../test/helpers/txkit";

const alice = keyFromSeed("memo-alice");
const bob = keyFromSeed("memo-bob");
const tx = (sequence: bigint, memo = "") =>
  buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: 4n, sequence, memo }).bytes;

function pipeline(): TxPipeline {
  const wiring = buildModules({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
  return buildTxRunner({ router: undefined as never, modules: wiring.modules, logger: undefined as never, minGasPrices: "" }) as TxPipeline;
}

describe("decode memo", () => {
  test("a copy of the same bytes hits; different bytes never do (small and large txs)", () => {
    const p = pipeline();
    for (const memo of ["", "x".repeat(TxPipeline.RAW_KEY_MAX)]) {
      const a = tx(0n, memo);
      if (memo) expect(a.length).toBeGreaterThan(TxPipeline.RAW_KEY_MAX);
      else expect(a.length).toBeLessThanOrEqual(TxPipeline.RAW_KEY_MAX);
      const d = p.decode(a);
      expect(d.hash).toEqual(sha256(a));
      expect(p.decode(new Uint8Array(a))).toBe(d);
      // Same length, one signature byte different: a different tx (decodes, different hash).
      const b = new Uint8Array(a);
      b[b.length - 1] ^= 1;
      const e = p.decode(b);
      expect(e).not.toBe(d);
      expect(e.hash).toEqual(sha256(b));
      expect(e.bytes).toEqual(b);
      // A different sequence: different decode.
      expect(p.decode(tx(1n, memo)).authInfo.signerInfos[0]!.sequence).toBe(1n);
    }
  });

  test("bounded FIFO: the newest txs stay memoized, older ones are decoded afresh (same result)", () => {
    const wiring = buildModules({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const pipe = (): TxPipeline => {
      const q = buildTxRunner({ router: undefined as never, modules: wiring.modules, logger: undefined as never, minGasPrices: "" }) as TxPipeline;
      return new TxPipeline({ ...(q as unknown as { opt: ConstructorParameters<typeof TxPipeline>[0] }).opt, decodeCacheSize: 3, parallelVerify: false });
    };
    const p = pipe();
    const txs = Array.from({ length: 12 }, (_, i) => tx(BigInt(i)));
    const first = txs.map((t) => p.decode(t));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < txs.length; i++) {
        const again = p.decode(new Uint8Array(txs[i]!)); // a copy: no identity shortcut
        expect(again.hash).toEqual(first[i]!.hash);
        expect(again.authInfo.signerInfos[0]!.sequence).toBe(BigInt(i));
      }
    }
    const fresh = pipe();
    txs.forEach((t) => fresh.decode(t));
    expect(fresh.decode(new Uint8Array(txs[11]!))).toBe(fresh.decode(new Uint8Array(txs[11]!)));
    expect(fresh.decode(new Uint8Array(txs[9]!))).toBe(fresh.decode(txs[9]!.slice())); // still held
    const old = fresh.decode(new Uint8Array(txs[0]!)); // evicted long ago: decoded again, then held
    expect(old.bytes).toEqual(txs[0]);
    expect((fresh as unknown as { decoded: Map<string, unknown> }).decoded.size).toBeLessThanOrEqual(3);
  });

  test("hash collisions never serve another tx's decode (every tx hashed alike)", () => {
    const wiring = buildModules({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const q = buildTxRunner({ router: undefined as never, modules: wiring.modules, logger: undefined as never, minGasPrices: "" }) as TxPipeline;
    const opt = (q as unknown as { opt: ConstructorParameters<typeof TxPipeline>[0] }).opt;
    for (const hash of [() => 0, (b: Uint8Array) => b[b.length - 1]! & 1]) {
      const p = new TxPipeline({ ...opt, memoHash: hash, decodeCacheSize: 4, parallelVerify: false });
      const txs = Array.from({ length: 10 }, (_, i) => tx(BigInt(i)));
      // Same length, one byte apart: a collision the byte compare must catch.
      const flipped = new Uint8Array(txs[0]!);
      flipped[flipped.length - 2] ^= 1;
      txs.push(flipped);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < txs.length; i++) {
          const d = p.decode(new Uint8Array(txs[i]!), false);
          expect(d.bytes).toEqual(txs[i]);
          expect(d.hash).toEqual(sha256(txs[i]!));
          expect(p.decode(new Uint8Array(txs[i]!), false)).toBe(d); // just set: held, in either map
        }
      }
    }
  });

  test("BytesMemo: colliding keys are kept apart through set, get, delete and re-set", () => {
    const m = new BytesMemo<{ bytes: Uint8Array; n: number }>(8, () => 5);
    const [a, b, c] = [Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4), Uint8Array.of(1, 2, 5)];
    const va = { bytes: a, n: 1 };
    const vb = { bytes: b, n: 2 };
    m.set(a, va);
    m.set(b, vb); // same hash, other bytes: overflow
    expect(m.get(Uint8Array.of(1, 2, 3))).toBe(va);
    expect(m.get(Uint8Array.of(1, 2, 4))).toBe(vb);
    expect(m.get(c)).toBeUndefined();
    expect(m.get(Uint8Array.of(1, 2))).toBeUndefined();
    expect(m.delete(Uint8Array.of(1, 2, 3))).toBe(true);
    expect(m.get(a)).toBeUndefined();
    expect(m.get(b)).toBe(vb);
    expect(m.delete(c)).toBe(false);
    const vc = { bytes: c, n: 3 };
    m.set(c, vc); // the hash slot is free again
    expect([m.get(b), m.get(c), m.size]).toEqual([vb, vc, 2]);
    expect(m.delete(b)).toBe(true);
    expect([m.get(b), m.get(c), m.size]).toEqual([undefined, vc, 1]);
    // A tx re-set while its overflow copy exists moves to the hash slot: one delete forgets it.
    const m2 = new BytesMemo<{ bytes: Uint8Array; n: number }>(8, () => 5);
    m2.set(a, va);
    m2.set(b, vb); // overflow
    m2.delete(a); // the hash slot is free, b still in overflow
    m2.set(b, vb); // b takes the hash slot; its overflow copy goes
    expect(m2.size).toBe(1);
    expect(m2.delete(b)).toBe(true);
    expect([m2.get(b), m2.size]).toEqual([undefined, 0]);
    // The default hash spreads ordinary txs (a Smi, non-negative) and depends on every byte.
    const t = tx(0n);
    const h = memoHash(t);
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    let differ = 0;
    for (let i = 0; i < t.length; i++) {
      const u = new Uint8Array(t);
      u[i] ^= 0x10;
      if (memoHash(u) !== h) differ++;
    }
    expect(differ).toBe(t.length);
  });

  test("a subarray view of a larger buffer is keyed by its own bytes only", () => {
    const p = pipeline();
    const a = tx(0n);
    const framed = new Uint8Array(a.length + 7);
    framed.set(a, 3);
    const view = framed.subarray(3, 3 + a.length);
    expect(p.decode(view)).toBe(p.decode(a));
  });
});

describe("ReCheckTx", () => {
  test("same code, gas and writes as CheckTx; neither answers with events (the SDK's CheckTx has none)", () => {
    const funded = [{ address: alice.address, amount: 1_000_000_000n }];
    const checked = newTestChain(funded);
    const rechecked = newTestChain(funded);
    for (const seq of [0n, 1n]) {
      const a = checked.app.checkTx({ tx: tx(seq), type: CheckTxType.NEW });
      const b = rechecked.app.checkTx({ tx: tx(seq), type: CheckTxType.RECHECK });
      expect(a.code).toBe(0);
      expect(a.events).toEqual([]);
      expect(b.code).toBe(0);
      expect(b.events).toEqual([]);
      expect(b.gasUsed).toBe(a.gasUsed);
      expect(b.gasWanted).toBe(a.gasWanted);
    }
    // Both wrote the sequence (the next one is expected) and the fee.
    const wrong = rechecked.app.checkTx({ tx: tx(1n), type: CheckTxType.RECHECK });
    expect(wrong.code).toBe(32);
    expect(checked.app.checkTx({ tx: tx(1n), type: CheckTxType.NEW }).code).toBe(32);
  });
});

describe("a committed block's txs leave the caches", () => {
  test("decode memo and signature cache drop them at Commit; a replay gets the same answer as on a node that kept them", async () => {
    const funded = [{ address: alice.address, amount: 1_000_000_000n }];
    const forgetting = newTestChain(funded);
    const keeping = newTestChain(funded);
    // The second node never forgets: what every node did before blockCommitted existed.
    (keeping.runner as TxPipeline).blockCommitted = () => {};
    const p = forgetting.runner as TxPipeline;
    const block = [tx(0n), tx(1n), tx(2n)];
    const pending = tx(3n); // checked, not in the block: stays cached
    for (const c of [forgetting, keeping]) {
      for (const t of [...block, pending]) expect(c.app.checkTx({ tx: new Uint8Array(t), type: CheckTxType.NEW }).code).toBe(0);
    }
    expect(p.sigCache.size).toBe(4);
    const memoized = block.map((t) => p.decode(new Uint8Array(t), false));
    const pendingDecoded = p.decode(new Uint8Array(pending), false);
    const [r1, r2] = [await deliverBlock(forgetting, block.map((t) => new Uint8Array(t))), await deliverBlock(keeping, block.map((t) => new Uint8Array(t)))];
    expect(r1.appHash).toEqual(r2.appHash);
    expect(r1.txResults.map((r) => [r.code, r.gasUsed])).toEqual(r2.txResults.map((r) => [r.code, r.gasUsed]));
    // Gone from both caches; the pending tx is still there.
    expect(p.sigCache.size).toBe(1);
    expect(p.sigCache.seenTx(Buffer.from(sha256(pending)).toString("hex"))).toBe(true);
    for (let i = 0; i < block.length; i++) {
      expect(p.sigCache.seenTx(Buffer.from(sha256(block[i]!)).toString("hex"))).toBe(false);
      const again = p.decode(new Uint8Array(block[i]!), false);
      expect(again).not.toBe(memoized[i]); // decoded afresh
      expect(again.hash).toEqual(memoized[i]!.hash);
    }
    expect(p.decode(new Uint8Array(pending), false)).toBe(pendingDecoded);
    // A replay of a committed tx: same answer on both nodes (wrong sequence), nothing changed.
    for (const t of block) {
      const a = forgetting.app.checkTx({ tx: new Uint8Array(t), type: CheckTxType.NEW });
      const b = keeping.app.checkTx({ tx: new Uint8Array(t), type: CheckTxType.NEW });
      expect(a.code).toBe(32);
      expect([a.code, a.log, a.gasUsed, a.gasWanted]).toEqual([b.code, b.log, b.gasUsed, b.gasWanted]);
    }
    // The next block (the pending tx) still runs the same on both.
    const [s1, s2] = [await deliverBlock(forgetting, [new Uint8Array(pending)]), await deliverBlock(keeping, [new Uint8Array(pending)])];
    expect(s1.txResults[0]!.code).toBe(0);
    expect(s1.appHash).toEqual(s2.appHash);
    expect(p.sigCache.size).toBe(0);
  });
});
