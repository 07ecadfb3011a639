/**
 * The pipeline's per-tx shortcuts give exactly what the full path gives: the decode memo (keyed by
 * the bytes themselves, or their sha256 past RAW_KEY_MAX) never serves another tx's decode, and
 * ReCheckTx (which builds no events) charges the same gas and makes the same writes as CheckTx.
 */
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { buildModules, buildTxRunner } from "../app/wiring";
import { sha256 } from "../crypto/hash";
import { TxPipeline } from "./runner";
import { CHAIN_ID, buildSignedTx, keyFromSeed, msgSend, newTestChain } from "../../test/helpers/txkit";

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
