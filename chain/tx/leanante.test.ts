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
import { leanSendStats } from "./leansend";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { moduleAddress, toBech32 } from "../crypto/address";
import { sendEnabledKey, PARAMS_KEY as BANK_PARAMS_KEY } from "../../modules/bank/keys";
import { encodeParamsValue } from "../../modules/bank/keeper";
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

/**
 * FinalizeBlock through leanBlockAnte + leanSend (the node's default) against the general ante and
 * message step only: every tx result (code, log, gas, events, data), the block's answer and the
 * AppHash must be identical, over txs that succeed on the lean paths and txs that need the general
 * path at every step where the lean paths decline (a new recipient, a blocked one, an emptied
 * balance, too little to send, two coins, two messages, a self-send, a wrong sequence, an unseen
 * signature, a passed timeout, out of gas at every charge, sends disabled).
 */
describe.each(["mem", "disk"] as const)("lean FinalizeBlock ante and send = general path (%s store)", (kind) => {
  const collector = toBech32(moduleAddress("fee_collector"));
  const custom = (who: Actor, sequence: bigint, msgs: ReturnType<typeof msgSend>[], extra: Partial<Parameters<typeof sign>[2]> = {}) =>
    sign(who, sequence, { ...extra, msgs });

  test("valid and failing txs in two blocks: same results, events, gas, AppHash; the lean paths answered", async () => {
    const n = 70;
    const keys = Array.from({ length: n }, (_, i) => keyFromSeed(`leanblock-${i}`));
    const amounts = keys.map((_, i) => (i === 7 ? 300n : i === 8 ? 251n : FUND));
    const [a, b] = await twins(keys.map((k, i) => ({ address: k.address, amount: amounts[i]! })), kind);
    const act: Actor[] = keys.map((key, i) => ({ key, number: FIRST_NUMBER + BigInt(i) }));
    const addr = (i: number) => act[i]!.key.address;
    const sink = keyFromSeed("leanblock-sink").address;
    const checked = (tx: Uint8Array, what: string) => (same(a, b, tx, CheckTxType.NEW, what), tx);
    const before = { block: leanStats.block, send: leanSendStats.passed };

    const block1 = [
      checked(sign(act[0]!, 0n, { to: addr(1) }), "plain send"),
      checked(sign(act[0]!, 1n, { to: addr(2), includePubkey: false }), "second send, key on the account"),
      checked(sign(act[2]!, 0n, { to: addr(2) }), "self-send"),
      checked(sign(act[3]!, 0n, { to: sink }), "to a new account"),
      checked(sign(act[4]!, 0n, { to: sink }), "to the account created just before"),
      checked(sign(act[5]!, 0n, { to: collector }), "to a module account (blocked)"),
      checked(sign(act[6]!, 0n, { msgs: [msgSend(addr(6), addr(1), FUND)] }), "more than the balance"),
      checked(sign(act[7]!, 0n, { msgs: [msgSend(addr(7), addr(1), 50n)] }), "empties the sender's balance"),
      checked(sign(act[8]!, 0n, { msgs: [msgSend(addr(8), addr(1), 1n)] }), "fee leaves 1, sends it"),
      checked(
        custom(act[9]!, 0n, [
          { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: addr(9), toAddress: addr(1), amount: [{ denom: "uatom", amount: "1" }, { denom: "ugrid", amount: "1" }] }).finish() },
        ]),
        "two coins, one not held",
      ),
      checked(custom(act[10]!, 0n, [msgSend(addr(10), addr(1), 1n), msgSend(addr(10), addr(2), 2n)]), "two messages"),
      sign(act[11]!, 0n, { to: addr(1) }), // never checked: the signature is verified in FinalizeBlock
      sign(act[12]!, 3n, { to: addr(1) }), // wrong sequence
      checked(sign(act[13]!, 0n, { to: addr(1), memo: "lean" }), "with a memo"),
    ];
    const fa = a.app.finalizeBlock(blockReq(1n, block1));
    const fb = b.app.finalizeBlock(blockReq(1n, block1));
    expect(fa).toEqual(fb);
    expect(fa.txResults.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 11, 5, 0, 0, 5, 0, 0, 32, 0]);
    await a.app.commit();
    await b.app.commit();
    expect(leanStats.block - before.block).toBe(12); // all but the unseen signature and the wrong sequence
    expect(leanSendStats.passed - before.send).toBe(4); // plain, second, to the just-created account, with a memo

    // Block 2: a passed timeout, and gas limits around every charge of a lean tx.
    const used = Number(fa.txResults[13]!.gasUsed); // act[13]: memo "lean" — same tx size as the sweep's below
    const fee = (g: number) => ({ amount: [{ denom: "ugrid", amount: "250" }], gasLimit: BigInt(g) });
    const block2 = [checked(sign(act[14]!, 0n, { to: addr(1), timeoutHeight: 1n }), "timeout 1 (passes CheckTx at height 1)")];
    const limits: number[] = [];
    const step = Math.max(900, Math.ceil(used / 48));
    for (let g = 1000; g < used - 2; g += step) limits.push(g);
    limits.push(used - 2, used - 1, used, used + 100);
    const sweep = act.slice(15);
    expect(limits.length).toBeLessThanOrEqual(sweep.length);
    for (const [k, g] of limits.entries()) block2.push(checked(sign(sweep[k]!, 0n, { to: addr(1), memo: "lean", fee: fee(g) }), `gas limit ${g}`));
    const before2 = leanSendStats.passed;
    const fa2 = a.app.finalizeBlock(blockReq(2n, block2));
    const fb2 = b.app.finalizeBlock(blockReq(2n, block2));
    expect(fa2).toEqual(fb2);
    expect(fa2.txResults[0]!.code).toBe(30); // timeout height passed
    expect(fa2.txResults.slice(-2).map((r) => r.code)).toEqual([0, 0]);
    expect(fa2.txResults.slice(1, -2).every((r) => r.code === 11)).toBe(true); // out of gas in the ante or in the send
    expect(leanSendStats.passed - before2).toBeGreaterThanOrEqual(1);
    await a.app.commit();
    await b.app.commit();
    expect(fa2.appHash).toEqual(fb2.appHash);
  });

  test("the same decoded tx against a changed account (its per-tx account step is keyed by the stored value): same answers as the general path", async () => {
    const keys = Array.from({ length: 4 }, (_, i) => keyFromSeed(`leanblock-acct-${i}`));
    const [a, b] = await twins(keys.map((k) => ({ address: k.address, amount: FUND })), kind);
    const act: Actor[] = keys.map((key, i) => ({ key, number: FIRST_NUMBER + BigInt(i) }));
    const to = act[3]!.key.address;
    const leanBefore = leanStats.block;
    // t0 is checked at sequence 0 (its account step: sequence 0); another tx of the same account and
    // sequence goes first in the block, so t0 meets sequence 1 there and must fail as in the general path.
    const t0 = sign(act[0]!, 0n, { to });
    expect(same(a, b, t0, CheckTxType.NEW, "checked at sequence 0").code).toBe(0);
    const other = sign(act[0]!, 0n, { to: act[2]!.key.address });
    // t1 has no key and is checked while its account has none (declined); the key is recorded in the block before it.
    const t1 = sign(act[1]!, 1n, { to, includePubkey: false });
    expect(same(a, b, t1, CheckTxType.NEW, "no key anywhere yet").code).not.toBe(0);
    const first = sign(act[1]!, 0n, { to });
    same(a, b, first, CheckTxType.NEW, "records the key");
    const block = [other, t0, first, t1];
    const fa = a.app.finalizeBlock(blockReq(1n, block));
    const fb = b.app.finalizeBlock(blockReq(1n, block));
    expect(fa).toEqual(fb);
    expect(fa.txResults.map((r) => r.code)).toEqual([0, 32, 0, 0]);
    expect(leanStats.block - leanBefore).toBe(1); // `first` only: `other` was never checked, t0 has the wrong sequence, t1's signature is unseen
    await a.app.commit();
    await b.app.commit();
    // ReCheck of t0 after the block (account at sequence 1 now): the general path's answer.
    expect(same(a, b, t0, CheckTxType.RECHECK, "t0 rechecked after the block").code).toBe(32);
    // t1 again at its next sequence value: checked now that the key is on the account.
    expect(same(a, b, sign(act[1]!, 2n, { to, includePubkey: false }), CheckTxType.NEW, "key on the account now").code).toBe(0);
  });

  test("sends disabled (per denom, then by default) and re-enabled: the lean send reads the flags and params afresh", async () => {
    const keys = Array.from({ length: 6 }, (_, i) => keyFromSeed(`leanblock-flags-${i}`));
    const [a, b] = await twins(keys.map((k) => ({ address: k.address, amount: FUND })), kind);
    const act: Actor[] = keys.map((key, i) => ({ key, number: FIRST_NUMBER + BigInt(i) }));
    const to = act[5]!.key.address;
    const steps: [string, Uint8Array | undefined, number][] = [
      ["ugrid flag off", new Uint8Array([0]), 0],
      ["ugrid flag on", new Uint8Array([1]), 0],
      ["default off, no flag", undefined, 1],
      ["default on again", undefined, 2],
    ];
    let h = 1n;
    for (const [i, [what, flag, params]] of steps.entries()) {
      for (const c of [a, b]) {
        const bank = c.store.getStore("bank");
        if (flag !== undefined) bank.set(sendEnabledKey("ugrid"), flag);
        else bank.delete(sendEnabledKey("ugrid"));
        if (params === 1) bank.set(BANK_PARAMS_KEY, encodeParamsValue(false));
        if (params === 2) bank.set(BANK_PARAMS_KEY, encodeParamsValue(true));
      }
      const tx = sign(act[i]!, 0n, { to });
      same(a, b, tx, CheckTxType.NEW, what); // the signature cached: the lean ante answers in FinalizeBlock
      const sent = leanSendStats.passed;
      const fa = a.app.finalizeBlock(blockReq(h, [tx]));
      const fb = b.app.finalizeBlock(blockReq(h, [tx]));
      expect({ what, ...fa }).toEqual({ what, ...fb });
      const off = what.endsWith("off") || what.includes("off,");
      expect({ what, code: fa.txResults[0]!.code }).toEqual({ what, code: off ? 5 : 0 });
      expect({ what, lean: leanSendStats.passed - sent }).toEqual({ what, lean: off ? 0 : 1 });
      await a.app.commit();
      await b.app.commit();
      h++;
    }
  });
});
