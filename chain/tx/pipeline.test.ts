/**
 * The tx pipeline through the real App lifecycle (InitChain → CheckTx → FinalizeBlock → Commit →
 * Query) with the node's wiring: balances, sequences, codes, events, TxMsgData, AppHash effects.
 */
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { MsgMultiSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { GetNodeInfoResponse } from "cosmjs-types/cosmos/base/tendermint/v1beta1/query";
import { CURVE_N } from "../crypto/secp256k1";
import { moduleAddress, toBech32 } from "../crypto/address";
import { totalSupplyInvariant } from "../../modules/bank/invariants";
import { createContext } from "../app/context";
import {
  CHAIN_ID,
  DEFAULT_FEE,
  buildSignedTx,
  deliverBlock,
  keyFromSeed,
  msgSend,
  newTestChain,
  query,
  silent,
  type TestChain,
} from "../../test/helpers/txkit";

const alice = keyFromSeed("alice");
const bob = keyFromSeed("bob");
const carol = keyFromSeed("carol");
const FUND = 1_000_000_000n;

function balance(c: TestChain, addr: string, denom = "ugrid"): bigint {
  const r = query(c, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: addr, denom }).finish());
  expect(r.code).toBe(0);
  return BigInt(QueryBalanceResponse.decode(r.value).balance!.amount);
}

function account(c: TestChain, addr: string): BaseAccount | undefined {
  const r = query(c, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: addr }).finish());
  if (r.code !== 0) return undefined;
  const any = QueryAccountResponse.decode(r.value).account!;
  expect(any.typeUrl).toBe("/cosmos.auth.v1beta1.BaseAccount");
  return BaseAccount.decode(any.value);
}

function checkTx(c: TestChain, tx: Uint8Array, recheck = false) {
  return c.app.checkTx({ tx, type: recheck ? CheckTxType.RECHECK : CheckTxType.NEW });
}

function attrs(events: readonly { type: string; attributes: readonly { key: string; value: string; index?: boolean }[] }[], type: string) {
  return events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

describe("tx pipeline through the App", () => {
  let c: TestChain;
  beforeEach(() => {
    c = newTestChain([
      { address: alice.address, amount: FUND },
      { address: bob.address, amount: FUND },
    ]);
  });

  test("a signed MsgSend passes CheckTx and FinalizeBlock: balances, fee, sequence, pubkey, events, TxMsgData", async () => {
    const acc = account(c, alice.address)!;
    expect(acc.sequence).toBe(0n);
    expect(acc.pubKey).toBeUndefined();
    const tx = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, carol.address, 12345n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n });
    const ct = checkTx(c, tx.bytes);
    expect(ct.log).toBe("");
    expect(ct.code).toBe(0);
    expect(ct.gasWanted).toBe(DEFAULT_FEE.gasLimit);
    // Like the SDK's CheckTx: no events and no data on success (the ante's events go into FinalizeBlock's result only).
    expect(ct.events).toEqual([]);
    expect(ct.data).toEqual(new Uint8Array(0));

    const feeCollector = toBech32(moduleAddress("fee_collector"));
    const r = await deliverBlock(c, [tx.bytes]);
    const res = r.txResults[0];
    expect(res.log).toBe("");
    expect(res.code).toBe(0);
    expect(res.gasUsed).toBeGreaterThan(0n);
    expect(res.gasUsed).toBeLessThanOrEqual(res.gasWanted);
    const data = TxMsgData.decode(res.data);
    expect(data.msgResponses.map((m) => m.typeUrl)).toEqual(["/cosmos.bank.v1beta1.MsgSendResponse"]);

    expect(balance(c, alice.address)).toBe(FUND - 12345n - 500n);
    expect(balance(c, carol.address)).toBe(12345n);
    expect(balance(c, feeCollector)).toBe(500n);
    const after = account(c, alice.address)!;
    expect(after.sequence).toBe(1n);
    expect(after.pubKey?.typeUrl).toBe("/cosmos.crypto.secp256k1.PubKey");
    // carol got an account (number assigned on first receipt of funds)
    expect(account(c, carol.address)?.accountNumber).toBeGreaterThan(acc.accountNumber);

    const ev = res.events;
    expect(attrs(ev, "tx")).toEqual(
      expect.arrayContaining([{ fee: "500ugrid", fee_payer: alice.address }, { acc_seq: `${alice.address}/0` }, { signature: Buffer.from(tx.signature).toString("base64") }]),
    );
    expect(attrs(ev, "message")).toContainEqual({ action: "/cosmos.bank.v1beta1.MsgSend", sender: alice.address, module: "bank", msg_index: "0" });
    expect(attrs(ev, "transfer")).toContainEqual({ recipient: carol.address, sender: alice.address, amount: "12345ugrid", msg_index: "0" });
    expect(attrs(ev, "coin_spent")).toContainEqual({ spender: alice.address, amount: "12345ugrid", msg_index: "0" });
    expect(attrs(ev, "coin_received")).toContainEqual({ receiver: carol.address, amount: "12345ugrid", msg_index: "0" });
    // marked for the kv indexer
    for (const e of ev) for (const a of e.attributes) expect(a.index).toBe(true);

    // invariant: balances sum to supply
    const view = createContext({ header: { height: c.height, time: { seconds: 0n, nanos: 0 }, chainId: CHAIN_ID, proposer: new Uint8Array() }, mode: "genesis", store: c.store.branch(), logger: silent });
    expect(totalSupplyInvariant.check(view)).toBeUndefined();
    const sup = QuerySupplyOfResponse.decode(query(c, "/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "ugrid" }).finish()).value);
    expect(BigInt(sup.amount!.amount)).toBe(100_000_000_000_000n);
  });

  test("CheckTx rejections: reused sequence, other chain id, wrong account number, low fee, high S, unknown AuthInfo field, oversize; nothing changes", async () => {
    // advance alice to sequence 1 first
    const acc = account(c, alice.address)!;
    const first = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 1n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n });
    await deliverBlock(c, [first.bytes]);
    const before = { a: balance(c, alice.address), b: balance(c, bob.address), seq: account(c, alice.address)!.sequence };
    expect(before.seq).toBe(1n);
    const ok = { key: alice, msgs: [msgSend(alice.address, bob.address, 7n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 1n };

    const cases: [string, Uint8Array, number, RegExp][] = [
      ["reused sequence", buildSignedTx({ ...ok, sequence: 0n }).bytes, 32, /account sequence mismatch, expected 1, got 0/],
      ["other chain id", buildSignedTx({ ...ok, chainId: "other-chain-1" }).bytes, 4, /signature verification failed; please verify account number .* and chain-id \(hashgrid-test-1\)/],
      ["wrong account number", buildSignedTx({ ...ok, accountNumber: acc.accountNumber + 5n }).bytes, 4, /signature verification failed/],
      ["fee below min gas price", buildSignedTx({ ...ok, fee: { amount: [{ denom: "ugrid", amount: "499" }], gasLimit: 200_000n } }).bytes, 13, /insufficient fees; got: 499ugrid required: 500ugrid/],
      [
        "high S",
        (() => {
          const t = buildSignedTx(ok);
          const s = BigInt("0x" + Buffer.from(t.signature.subarray(32)).toString("hex"));
          const hi = Buffer.from((CURVE_N - s).toString(16).padStart(64, "0"), "hex");
          const sig = Uint8Array.from([...t.signature.subarray(0, 32), ...hi]);
          return rawTx(t.bodyBytes, t.authInfoBytes, sig);
        })(),
        4,
        /low-S/,
      ],
      ["unknown AuthInfo field", buildSignedTx({ ...ok, mutateAuthInfo: (b) => Uint8Array.from([...b, 0x28, 0x01]) }).bytes, 2, /cosmos\.tx\.v1beta1\.AuthInfo: unknown field number 5/],
      ["over the size limit", buildSignedTx({ ...ok, memo: "x".repeat(70_000) }).bytes, 21, /tx too large/],
    ];
    for (const [name, bytes, code, log] of cases) {
      const r = checkTx(c, bytes);
      expect({ name, code: r.code }).toEqual({ name, code });
      expect(r.log).toMatch(log);
    }
    // none of them changed anything (check state: a valid tx with sequence 1 still passes)
    expect(checkTx(c, buildSignedTx(ok).bytes).code).toBe(0);
    await deliverBlock(c, []);
    expect(balance(c, alice.address)).toBe(before.a);
    expect(balance(c, bob.address)).toBe(before.b);
    expect(account(c, alice.address)!.sequence).toBe(before.seq);
  });

  test("a failing message keeps fee and sequence but loses its writes and events", async () => {
    const acc = account(c, alice.address)!;
    const tx = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, FUND * 2n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n });
    expect(checkTx(c, tx.bytes).code).toBe(0); // CheckTx runs the ante only
    const r = await deliverBlock(c, [tx.bytes]);
    const res = r.txResults[0];
    expect(res.code).toBe(5);
    expect(res.codespace).toBe("sdk");
    expect(res.log).toMatch(/spendable balance 999999500ugrid is smaller than 2000000000ugrid: insufficient funds/);
    expect(res.data.length).toBe(0);
    expect(balance(c, alice.address)).toBe(FUND - 500n);
    expect(balance(c, bob.address)).toBe(FUND);
    expect(account(c, alice.address)!.sequence).toBe(1n);
    expect(attrs(res.events, "transfer").some((t) => t.recipient === bob.address)).toBe(false);
    expect(attrs(res.events, "message")).toEqual([]);
    expect(attrs(res.events, "tx")).toContainEqual({ fee: "500ugrid", fee_payer: alice.address });
  });

  test("out of gas: in the messages the tx fails with code 11 and keeps fee + sequence; in the ante nothing is kept", async () => {
    const acc = account(c, alice.address)!;
    const send = (seq: bigint, gasLimit: bigint, fee = "100") =>
      buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: seq, fee: { amount: [{ denom: "ugrid", amount: fee }], gasLimit } });
    // Measure: the same tx with plenty of gas, and its ante-only gas (CheckTx).
    const probe = send(0n, 1_000_000n, "2500");
    const ct = checkTx(c, probe.bytes);
    expect(ct.code).toBe(0);
    const anteGas = ct.gasUsed;
    const full = newTestChain([{ address: alice.address, amount: FUND }, { address: bob.address, amount: FUND }]);
    const fullGas = (await deliverBlock(full, [probe.bytes])).txResults[0].gasUsed;
    expect(fullGas).toBeGreaterThan(anteGas + 1000n);

    const r = await deliverBlock(c, [send(0n, fullGas - 500n).bytes]);
    expect(r.txResults[0].code).toBe(11);
    expect(r.txResults[0].log).toMatch(new RegExp(`out of gas in location: .*gasWanted: ${fullGas - 500n}`));
    expect(balance(c, alice.address)).toBe(FUND - 100n);
    expect(balance(c, bob.address)).toBe(FUND);
    expect(account(c, alice.address)!.sequence).toBe(1n);

    await deliverBlock(c, []); // (CheckTx above advanced only the check state's sequence)
    const r2 = await deliverBlock(c, [send(1n, anteGas / 2n).bytes]);
    expect(r2.txResults[0].code).toBe(11);
    expect(balance(c, alice.address)).toBe(FUND - 100n);
    expect(account(c, alice.address)!.sequence).toBe(1n);
  });

  test("gas is the same whether the signature was cached by CheckTx or verified in FinalizeBlock", async () => {
    const acc = account(c, alice.address)!;
    const tx = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n });
    const c2 = newTestChain([
      { address: alice.address, amount: FUND },
      { address: bob.address, amount: FUND },
    ]);
    expect(checkTx(c, tx.bytes).code).toBe(0); // c caches the signature, c2 never saw the tx
    const r1 = await deliverBlock(c, [tx.bytes]);
    const r2 = await deliverBlock(c2, [tx.bytes]);
    expect(r1.txResults[0].code).toBe(0);
    expect(r2.txResults[0].code).toBe(0);
    expect(r1.txResults[0].gasUsed).toBe(r2.txResults[0].gasUsed);
    expect(Buffer.from(r1.appHash).toString("hex")).toBe(Buffer.from(r2.appHash).toString("hex"));
  });

  test("a forged tx not seen in CheckTx is still verified in FinalizeBlock", async () => {
    const acc = account(c, alice.address)!;
    const tx = buildSignedTx({ key: bob, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n, includePubkey: false });
    const r = await deliverBlock(c, [tx.bytes]);
    expect(r.txResults[0].code).not.toBe(0);
    expect(balance(c, alice.address)).toBe(FUND);
  });

  test("RECHECK skips signatures but still checks sequences", async () => {
    const acc = account(c, alice.address)!;
    const tx = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n });
    expect(checkTx(c, tx.bytes).code).toBe(0);
    await deliverBlock(c, [tx.bytes]);
    const re = checkTx(c, tx.bytes, true);
    expect(re.code).toBe(32);
  });

  test("MsgMultiSend and module-account recipients", async () => {
    const acc = account(c, alice.address)!;
    const multi = {
      typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
      value: MsgMultiSend.encode({
        inputs: [{ address: alice.address, coins: [{ denom: "ugrid", amount: "30" }] }],
        outputs: [
          { address: bob.address, coins: [{ denom: "ugrid", amount: "10" }] },
          { address: carol.address, coins: [{ denom: "ugrid", amount: "20" }] },
        ],
      }).finish(),
    };
    const toModule = msgSend(alice.address, toBech32(moduleAddress("insurance_pool")), 1n);
    const t1 = buildSignedTx({ key: alice, msgs: [multi], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n });
    const t2 = buildSignedTx({ key: alice, msgs: [toModule], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 1n });
    const r = await deliverBlock(c, [t1.bytes, t2.bytes]);
    expect(r.txResults[0].code).toBe(0);
    expect(balance(c, bob.address)).toBe(FUND + 10n);
    expect(balance(c, carol.address)).toBe(20n);
    expect(r.txResults[1].codespace).toBe("bank");
    expect(r.txResults[1].log).toMatch(/is not allowed to receive funds/);
  });

  test("Simulate: CosmJS shape (empty signature, mode UNSPECIFIED, zero fee) and Keplr shape (no pubkey, zeroed signature) return gas_info", async () => {
    const acc = account(c, alice.address)!;
    // First tx records the pubkey (Keplr's shape relies on it or on no-pubkey tolerance).
    const { bodyBytes, authInfoBytes } = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n, signMode: 0, fee: { amount: [], gasLimit: 0n } });
    const cosmjsShape = rawTx(bodyBytes, authInfoBytes, new Uint8Array(0));
    const r1 = query(c, "/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: cosmjsShape }).finish());
    expect(r1.log).toBe("");
    expect(r1.code).toBe(0);
    const s1 = SimulateResponse.decode(r1.value);
    expect(s1.gasInfo!.gasUsed).toBeGreaterThan(10_000n);
    expect(s1.result!.msgResponses[0].typeUrl).toBe("/cosmos.bank.v1beta1.MsgSendResponse");

    const k = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 5n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n, signMode: 127, includePubkey: false });
    const keplrShape = rawTx(k.bodyBytes, k.authInfoBytes, new Uint8Array(64));
    const r2 = query(c, "/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: keplrShape }).finish());
    expect(r2.log).toBe("");
    expect(SimulateResponse.decode(r2.value).gasInfo!.gasUsed).toBeGreaterThan(10_000n);
    // simulation wrote nothing
    expect(balance(c, bob.address)).toBe(FUND);
    expect(account(c, alice.address)!.sequence).toBe(0n);
  });

  test("Simulate with the empty fee wallets send estimates at least the gas the signed, fee-paying tx uses", async () => {
    for (const [seq, to] of [[0n, carol.address], [1n, bob.address]] as const) {
      const acc = account(c, alice.address)!;
      const msgs = [msgSend(alice.address, to, 7n)];
      const sim = buildSignedTx({ key: alice, msgs, chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: seq, signMode: 0, fee: { amount: [], gasLimit: 0n } });
      const r = query(c, "/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: rawTx(sim.bodyBytes, sim.authInfoBytes, new Uint8Array(0)) }).finish());
      expect(r.code).toBe(0);
      const estimate = SimulateResponse.decode(r.value).gasInfo!.gasUsed;
      const real = buildSignedTx({ key: alice, msgs, chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: seq });
      const res = await deliverBlock(c, [real.bytes]);
      expect(res.txResults[0].code).toBe(0);
      // seq 0 also records the pubkey; seq 1 is the steady state.
      expect(estimate).toBeGreaterThanOrEqual(res.txResults[0].gasUsed);
      expect(estimate).toBeLessThan((res.txResults[0].gasUsed * 12n) / 10n); // and not wildly above it
    }
  });

  test("block max gas: a tx over it is rejected; PrepareProposal stops at the block's gas", async () => {
    const g = newTestChain([{ address: alice.address, amount: FUND }], { maxGas: 450_000n });
    const acc = account(g, alice.address)!;
    const big = buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 1n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: 0n, fee: { amount: [{ denom: "ugrid", amount: "2000" }], gasLimit: 500_000n } });
    const r = checkTx(g, big.bytes);
    expect(r.code).toBe(41);
    expect(r.log).toMatch(/exceeds the block max gas 450000/);
    const txs = [0n, 1n, 2n].map((seq) => buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 1n)], chainId: CHAIN_ID, accountNumber: acc.accountNumber, sequence: seq }).bytes);
    for (const t of txs) expect(checkTx(g, t).code).toBe(0);
    const p = g.app.prepareProposal({ maxTxBytes: 1_000_000n, txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: 1n, time: { seconds: 1n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) });
    expect(p.txs.length).toBe(2); // 2 × 200,000 ≤ 450,000 < 3 × 200,000
  });

  test("GetNodeInfo reports the chain id as network (Keplr's endpoint check)", () => {
    const r = query(c, "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo", new Uint8Array());
    expect(r.code).toBe(0);
    const info = GetNodeInfoResponse.decode(r.value);
    expect(info.defaultNodeInfo!.network).toBe(CHAIN_ID);
    expect(info.applicationVersion!.appName).toBe("hashgrid");
  });

  test("queries: NotFound text for CosmJS, AllBalances, DenomMetadata", () => {
    const r = query(c, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: carol.address }).finish());
    expect(r.code).not.toBe(0);
    expect(r.log).toMatch(/rpc error: code = NotFound desc = account grid1[0-9a-z]+ not found: key not found/);
    expect(r.height).toBeGreaterThanOrEqual(0n);
    const all = QueryAllBalancesResponse.decode(query(c, "/cosmos.bank.v1beta1.Query/AllBalances", QueryAllBalancesRequest.encode({ address: alice.address, resolveDenom: false }).finish()).value);
    expect(all.balances).toEqual([{ denom: "ugrid", amount: FUND.toString() }]);
    const md = QueryDenomMetadataResponse.decode(query(c, "/cosmos.bank.v1beta1.Query/DenomMetadata", QueryDenomMetadataRequest.encode({ denom: "ugrid" }).finish()).value);
    expect(md.metadata!.symbol).toBe("GRID");
    expect(md.metadata!.denomUnits.find((u) => u.denom === md.metadata!.display)!.exponent).toBe(6);
    const bad = query(c, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: "cosmos1xyz", denom: "ugrid" }).finish());
    expect(bad.code).toBe(7);
  });
});

import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
function rawTx(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, sig: Uint8Array): Uint8Array {
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [sig] }).finish();
}
