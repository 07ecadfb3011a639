/**
 * The lean mempool ante (leanante.ts) against the general ante (ante.ts): two Apps, one with the
 * lean path and one without, get the same CheckTx / ReCheckTx / FinalizeBlock / Commit sequence
 * over valid and invalid txs. Every answer (code, codespace, log, gas wanted and used, events), the
 * whole check state after every step, the signature cache and every AppHash must be identical,
 * and the lean path must actually have answered the txs of its shape.
 */
import { CheckTxType, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { TxPipeline } from "./runner";
import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PARAMS_KEY as AUTH_PARAMS_KEY } from "../../modules/auth/keys";
import { DEFAULT_PARAMS as DEFAULT_AUTH_PARAMS } from "../../modules/auth/params";
import { leanStats } from "./leanante";
import { CURVE_N } from "../crypto/secp256k1";
import type { CacheMultiStore, CommitMultiStore } from "../store/types";
import { openMultiStore } from "../store";
import { appStoreNames } from "../app/app";
import { ModuleManager } from "../app/manager";
import { buildModules } from "../app/wiring";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHAIN_ID, blockReq, buildSignedTx, keyFromSeed, msgSend, newTestChain, silent, type Key, type TestChain } from "../../test/helpers/txkit";

const FIRST_NUMBER = 4n; // after the 4 default module accounts, in genesis order
const FUND = 1_000_000_000n;
const FEE = { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n };

interface Actor {
  readonly key: Key;
  readonly number: bigint;
}

function pipelineOf(c: TestChain): TxPipeline {
  return (c.app as unknown as { runner: TxPipeline }).runner;
}

const dirs: string[] = [];
const opened: CommitMultiStore[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A store of `kind`: the test MemStore, or the node's IAVL multistore on LevelDB (its branches are the lean path's fast case). */
async function storeOf(kind: "mem" | "disk"): Promise<((names: string[]) => CommitMultiStore) | undefined> {
  if (kind === "mem") return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leanante-"));
  dirs.push(dir);
  const w = buildModules({ logger: silent });
  const store = await openMultiStore({ dir, storeNames: appStoreNames(new ModuleManager(w.modules, w.order)) });
  opened.push(store);
  return () => store;
}

/** Two chains from one genesis: the node's wiring (lean path on) and the general ante only. */
async function twins(funded: { address: string; amount: bigint }[], kind: "mem" | "disk"): Promise<[TestChain, TestChain]> {
  const sa = await storeOf(kind);
  const sb = await storeOf(kind);
  const lean = newTestChain(funded, sa ? { store: sa } : {});
  const general = newTestChain(funded, sb ? { store: sb } : {});
  const opt = (pipelineOf(general) as unknown as { opt: ConstructorParameters<typeof TxPipeline>[0] }).opt;
  (general.app as unknown as { runner: TxPipeline }).runner = new TxPipeline({ ...opt, leanMempool: false, leanBlock: false });
  return [lean, general];
}

/** Every key/value of every store as the check state sees it (committed state + pending CheckTx writes). */
function checkStateDump(c: TestChain): string[] {
  const cs = (c.app as unknown as { checkState: CacheMultiStore }).checkState;
  const out: string[] = [];
  for (const name of c.store.storeNames) {
    for (const [k, v] of cs.getStore(name).iterator()) out.push(`${name}/${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`);
  }
  return out;
}

function sigCacheDump(c: TestChain): string {
  const sc = pipelineOf(c).sigCache as unknown as { txs: Map<string, { accountNumber: bigint; pubkey: Uint8Array }[]> };
  return [...sc.txs].map(([h, l]) => `${h}:${l.map((e) => `${e.accountNumber}/${Buffer.from(e.pubkey).toString("hex")}`).join(",")}`).join(";");
}

function same(a: TestChain, b: TestChain, tx: Uint8Array, type: CheckTxType, what: string): ResponseCheckTx {
  const ra = a.app.checkTx({ tx, type });
  const rb = b.app.checkTx({ tx, type });
  expect({ what, ...ra }).toEqual({ what, ...rb });
  expect(checkStateDump(a)).toEqual(checkStateDump(b));
  return ra;
}

function sign(
  who: Actor,
  sequence: bigint,
  o: Partial<Parameters<typeof buildSignedTx>[0]> & { to?: string; fee?: typeof FEE } = {},
): Uint8Array {
  return buildSignedTx({
    key: who.key,
    msgs: o.msgs ?? [msgSend(who.key.address, o.to ?? keyFromSeed("lean-sink").address, 1n)],
    chainId: o.chainId ?? CHAIN_ID,
    accountNumber: o.accountNumber ?? who.number,
    sequence,
    fee: o.fee ?? FEE,
    memo: o.memo,
    timeoutHeight: o.timeoutHeight,
    includePubkey: o.includePubkey,
    mutateAuthInfo: o.mutateAuthInfo,
    signMode: o.signMode,
  }).bytes;
}

/** Replaces the signer info's public key with `pub` (signed over the replaced bytes). */
function withPubkey(pub: Uint8Array): (b: Uint8Array) => Uint8Array {
  return (b) => {
    const ai = AuthInfo.decode(b);
    ai.signerInfos[0]!.publicKey = { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: pub }).finish() };
    return AuthInfo.encode(ai).finish();
  };
}

function flipSigByte(tx: Uint8Array): Uint8Array {
  const t = new Uint8Array(tx);
  t[t.length - 10] ^= 1; // inside the last field: the 64-byte signature
  return t;
}

function highS(tx: Uint8Array): Uint8Array {
  const t = new Uint8Array(tx);
  const off = t.length - 32;
  const s = BigInt("0x" + Buffer.from(t.subarray(off)).toString("hex"));
  t.set(Buffer.from((CURVE_N - s).toString(16).padStart(64, "0"), "hex"), off);
  return t;
}

describe.each(["mem", "disk"] as const)("lean mempool ante = general ante (%s store)", (kind) => {
  test("CheckTx and ReCheckTx of valid and invalid txs: same answers, state, signature cache, AppHash", async () => {
    // Actors in genesis order get account numbers 4, 5, ...
    const n = 12;
    const keys = Array.from({ length: n }, (_, i) => keyFromSeed(`lean-${i}`));
    const amounts = keys.map((_, i) => (i === 1 ? 100n : i === 2 ? 250n : FUND)); // 1: cannot pay, 2: pays exactly its balance
    const funded = keys.map((k, i) => ({ address: k.address, amount: amounts[i]! }));
    const [a, b] = await twins(funded, kind);
    const act: Actor[] = keys.map((key, i) => ({ key, number: FIRST_NUMBER + BigInt(i) }));
    const [ok, poor, exact, x3, x4, x5, x6, x7, x8] = act;
    const stranger: Actor = { key: keyFromSeed("lean-unfunded"), number: 99n };
    const before = { ...leanStats };
    const check = (tx: Uint8Array, what: string) => same(a, b, tx, CheckTxType.NEW, what);

    // Valid first txs (public key recorded), and a second one without the key.
    expect(check(sign(ok!, 0n), "valid").code).toBe(0);
    expect(check(sign(ok!, 1n, { includePubkey: false }), "valid, key already on the account").code).toBe(0);
    // Sequences: replay, gap.
    expect(check(sign(ok!, 1n), "sequence replayed").code).not.toBe(0);
    expect(check(sign(ok!, 5n), "sequence gap").code).not.toBe(0);
    // Fees: below the minimum, other denom, none, two coins, a granter, a payer.
    expect(check(sign(x3!, 0n, { fee: { amount: [{ denom: "ugrid", amount: "249" }], gasLimit: 100_000n } }), "fee below minimum").code).not.toBe(0);
    expect(check(sign(x3!, 0n, { fee: { amount: [{ denom: "uatom", amount: "250" }], gasLimit: 100_000n } }), "fee in another denom").code).not.toBe(0);
    expect(check(sign(x3!, 0n, { fee: { amount: [], gasLimit: 100_000n } }), "no fee").code).not.toBe(0);
    expect(check(sign(x3!, 0n, { fee: { amount: [{ denom: "uatom", amount: "1" }, { denom: "ugrid", amount: "250" }], gasLimit: 100_000n } }), "two fee coins").code).not.toBe(0);
    const withFeeField = (field: "payer" | "granter", v: string) => (bytes: Uint8Array) => {
      const ai = AuthInfo.decode(bytes);
      ai.fee![field] = v;
      return AuthInfo.encode(ai).finish();
    };
    expect(check(sign(x3!, 0n, { mutateAuthInfo: withFeeField("granter", x4!.key.address) }), "fee granter").code).not.toBe(0);
    expect(check(sign(x3!, 0n, { mutateAuthInfo: withFeeField("payer", x3!.key.address) }), "fee payer = signer").code).toBe(0);
    expect(check(sign(x4!, 0n, { mutateAuthInfo: withFeeField("payer", x3!.key.address) }), "fee payer not a signer").code).not.toBe(0);
    // Balances: too low; exactly the fee (the balance is deleted: general path).
    expect(check(sign(poor!, 0n), "cannot pay the fee").code).not.toBe(0);
    expect(check(sign(exact!, 0n), "pays its whole balance").code).toBe(0);
    // Unknown signer.
    expect(check(sign(stranger, 0n), "unknown account").code).not.toBe(0);
    // Memo and timeout height.
    expect(check(sign(x4!, 0n, { memo: "m".repeat(256) }), "memo at the limit").code).toBe(0);
    expect(check(sign(x4!, 1n, { memo: "m".repeat(257) }), "memo too long").code).not.toBe(0);
    expect(check(sign(x4!, 1n, { timeoutHeight: 1n }), "timeout height = current height").code).toBe(0);
    // Signatures: another chain id, another account number, a flipped byte, high-S, amino sign mode.
    expect(check(sign(x5!, 0n, { chainId: "other-chain" }), "signed for another chain").code).not.toBe(0);
    expect(check(sign(x5!, 0n, { accountNumber: 77n }), "signed with another account number").code).not.toBe(0);
    expect(check(flipSigByte(sign(x5!, 0n)), "signature byte flipped").code).not.toBe(0);
    expect(check(highS(sign(x5!, 0n)), "high-S signature").code).not.toBe(0);
    expect(check(sign(x5!, 0n, { signMode: 127 }), "amino sign mode").code).not.toBe(0);
    // Public keys: another signer's key, none on a fresh account.
    expect(check(sign(x6!, 0n, { mutateAuthInfo: withPubkey(x7!.key.pub) }), "someone else's key").code).not.toBe(0);
    expect(check(sign(x6!, 0n, { includePubkey: false }), "no key on a fresh account").code).not.toBe(0);
    // Bytes that do not decode, and a truncated tx.
    expect(check(new Uint8Array([1, 2, 3]), "not a tx").code).not.toBe(0);
    const whole = sign(x6!, 0n);
    expect(check(whole.subarray(0, whole.length - 5), "truncated").code).not.toBe(0);
    // Two signers (general path).
    const two = buildSignedTx({
      key: x6!.key,
      msgs: [msgSend(x6!.key.address, x7!.key.address, 1n), msgSend(x7!.key.address, x6!.key.address, 1n)],
      chainId: CHAIN_ID,
      accountNumber: x6!.number,
      sequence: 0n,
      fee: FEE,
    }).bytes;
    expect(check(two, "two signers").code).not.toBe(0);
    expect(check(sign(x6!, 0n), "valid after the failures").code).toBe(0);
    expect(sigCacheDump(a)).toBe(sigCacheDump(b));

    expect(leanStats.passed - before.passed).toBeGreaterThanOrEqual(5);
    expect(leanStats.badSignature - before.badSignature).toBeGreaterThanOrEqual(3);

    // A block with some of the checked txs, then ReCheck of everything still "in the mempool".
    const pending = [sign(ok!, 2n), sign(x8!, 0n), sign(x8!, 1n), sign(x7!, 0n)];
    for (const [i, t] of pending.entries()) check(t, `pending ${i}`);
    const block1 = [sign(ok!, 0n), sign(ok!, 1n), sign(x7!, 0n), sign(x8!, 0n)];
    const fa = a.app.finalizeBlock(blockReq(1n, block1));
    const fb = b.app.finalizeBlock(blockReq(1n, block1));
    expect(fa).toEqual(fb);
    await a.app.commit();
    await b.app.commit();
    expect(checkStateDump(a)).toEqual(checkStateDump(b));
    const before2 = leanStats.passed;
    for (const [i, t] of pending.entries()) same(a, b, t, CheckTxType.RECHECK, `recheck ${i}`);
    expect(leanStats.passed - before2).toBeGreaterThanOrEqual(2); // ok/2 and x8/1 pass; x8/0 and x7/0 were included
    // Timeout height now passed (height 2 > 1).
    expect(check(sign(x4!, 1n, { timeoutHeight: 1n }), "timeout passed").code).not.toBe(0);
    expect(sigCacheDump(a)).toBe(sigCacheDump(b));
    const fa2 = a.app.finalizeBlock(blockReq(2n, pending));
    const fb2 = b.app.finalizeBlock(blockReq(2n, pending));
    expect(fa2).toEqual(fb2);
    expect(fa2.appHash).toEqual(fb2.appHash);
  });

  test("gas limits around every charge: out of gas at the same point with the same gas, success at exactly the gas used", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => keyFromSeed(`lean-gas-${i}`));
    const [a, b] = await twins(keys.map((k) => ({ address: k.address, amount: FUND })), kind);
    const act: Actor[] = keys.map((key, i) => ({ key, number: FIRST_NUMBER + BigInt(i) }));
    let next = 0;
    const fresh = (): Actor => act[next++]!;
    const fee = (gasLimit: bigint) => ({ amount: [{ denom: "ugrid", amount: "250" }], gasLimit });
    const before = leanStats.passed;
    // The fee collector's balance goes 0 → 250 → 500: the second and the third tx read and write
    // values of the same lengths, so they use the same gas (U) when their gas limits have the same length.
    expect(same(a, b, sign(fresh(), 0n), CheckTxType.NEW, "first").code).toBe(0);
    const second = same(a, b, sign(fresh(), 0n), CheckTxType.NEW, "second");
    expect(second.code).toBe(0);
    const used = Number(second.gasUsed);
    const limits: number[] = [];
    for (let g = 500; g < used - 2; g += 450) limits.push(g);
    limits.push(used - 2, used - 1);
    for (const g of limits) {
      const r = same(a, b, sign(fresh(), 0n, { fee: fee(BigInt(g)) }), CheckTxType.NEW, `gas limit ${g}`);
      expect(r.code).toBe(11); // out of gas, at whichever charge crossed the limit (the log names it; same in both)
    }
    const exact = same(a, b, sign(fresh(), 0n, { fee: fee(BigInt(used)) }), CheckTxType.NEW, "gas limit = gas used");
    expect(exact.code).toBe(0);
    expect(exact.gasUsed).toBe(second.gasUsed);
    expect(same(a, b, sign(fresh(), 0n, { fee: fee(BigInt(used + 100)) }), CheckTxType.NEW, "a little more (its collector balance write is one byte longer)").code).toBe(0);
    expect(leanStats.passed - before).toBe(4);
    expect(sigCacheDump(a)).toBe(sigCacheDump(b));
  });
  test("auth params changed between blocks: the lean path reads the new values (no stale params), same answers", async () => {
    const keys = Array.from({ length: 6 }, (_, i) => keyFromSeed(`lean-params-${i}`));
    const [a, b] = await twins(keys.map((k) => ({ address: k.address, amount: FUND })), kind);
    const act: Actor[] = keys.map((key, i) => ({ key, number: FIRST_NUMBER + BigInt(i) }));
    const before = leanStats.passed;
    const r0 = same(a, b, sign(act[0]!, 0n), CheckTxType.NEW, "default params");
    expect(r0.code).toBe(0);
    // Governance-like change, written into both stores' pending state and committed with block 1.
    const changed = Params.encode({ ...DEFAULT_AUTH_PARAMS, txSizeCostPerByte: 20n, maxMemoCharacters: 8n }).finish();
    for (const c of [a, b]) {
      c.store.getStore("auth").set(AUTH_PARAMS_KEY, changed);
      c.app.finalizeBlock(blockReq(1n, []));
      await c.app.commit();
    }
    const r1 = same(a, b, sign(act[1]!, 0n), CheckTxType.NEW, "new params");
    expect(r1.code).toBe(0);
    expect(r1.gasUsed).toBeGreaterThan(r0.gasUsed); // twice the tx-size gas
    expect(same(a, b, sign(act[2]!, 0n, { memo: "123456789" }), CheckTxType.NEW, "memo over the new limit").code).not.toBe(0);
    expect(same(a, b, sign(act[3]!, 0n, { memo: "12345678" }), CheckTxType.NEW, "memo at the new limit").code).toBe(0);
    expect(leanStats.passed - before).toBe(3);
  });
});
