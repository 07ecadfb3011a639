/**
 * End to end against a real CometBFT v0.38 node with UNMODIFIED CosmJS (SigningStargateClient +
 * DirectSecp256k1HdWallet, prefix "grid"): fee "auto" (Simulate), sendTokens, getBalance, getTx,
 * searchTx by sender / recipient / action, and CheckTx rejections through broadcast_tx_sync.
 */
import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient, type DeliverTxResponse } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { DEV_MNEMONIC } from "../../chain/node/devaccounts";
import { cometbftBinary, startTxNet, type TxNet } from "./helpers/txnet";

jest.setTimeout(180_000);

describe("CosmJS against a real CometBFT devnet", () => {
  let net: TxNet | undefined;
  let wallet: DirectSecp256k1HdWallet;
  let from: string;
  let to: string;
  let other: string;

  beforeAll(async () => {
    if (!(await cometbftBinary())) throw new Error("cometbft is not installed (go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25)");
    wallet = await DirectSecp256k1HdWallet.fromMnemonic(DEV_MNEMONIC, { prefix: "grid", hdPaths: [0, 1, 2].map((i) => makeCosmoshubPath(i)) });
    [from, to, other] = (await wallet.getAccounts()).map((a) => a.address);
    net = await startTxNet({ funds: [{ address: from, coins: [{ denom: "ugrid", amount: "1000000000" }] }] });
  });

  afterAll(async () => {
    await net?.stop();
  });

  test("sendTokens with fee auto, getBalance, getTx and searchTx", async () => {
    const client = await SigningStargateClient.connectWithSigner(net!.rpcUrl, wallet, {
      gasPrice: GasPrice.fromString("0.0025ugrid"),
      broadcastPollIntervalMs: 300,
      broadcastTimeoutMs: 30_000,
    });
    expect(await client.getChainId()).toBe(net!.chainId);
    expect(await client.getAccount(to)).toBeNull(); // NotFound form recognised
    const before = BigInt((await client.getBalance(from, "ugrid")).amount);

    const res: DeliverTxResponse = await client.sendTokens(from, to, [{ denom: "ugrid", amount: "123456" }], "auto", "e2e memo");
    expect(res.code).toBe(0);
    expect(res.msgResponses.map((m) => m.typeUrl)).toEqual(["/cosmos.bank.v1beta1.MsgSendResponse"]);
    expect((await client.getBalance(to, "ugrid")).amount).toBe("123456");
    const fee = before - 123456n - BigInt((await client.getBalance(from, "ugrid")).amount);
    expect(fee).toBeGreaterThan(0n);
    expect(res.gasUsed).toBeLessThanOrEqual(res.gasWanted);
    const acc = await client.getAccount(from);
    expect(acc?.sequence).toBe(1);
    expect(acc?.pubkey?.type).toBe("tendermint/PubKeySecp256k1");

    const tx = await client.getTx(res.transactionHash);
    expect(tx?.code).toBe(0);
    expect(tx?.height).toBe(res.height);
    expect(tx?.msgResponses.map((m) => m.typeUrl)).toEqual(["/cosmos.bank.v1beta1.MsgSendResponse"]);
    const transfer = tx!.events.find((e) => e.type === "transfer" && e.attributes.some((a) => a.key === "recipient" && a.value === to));
    expect(transfer?.attributes).toEqual(expect.arrayContaining([{ key: "sender", value: from }, { key: "amount", value: "123456ugrid" }]));

    const bySender = await client.searchTx(`message.sender='${from}'`);
    expect(bySender.map((t) => t.hash)).toContain(res.transactionHash);
    const byRecipient = await client.searchTx(`transfer.recipient='${to}'`);
    expect(byRecipient.map((t) => t.hash)).toContain(res.transactionHash);
    const byAction = await client.searchTx(`message.action='/cosmos.bank.v1beta1.MsgSend'`);
    expect(byAction.map((t) => t.hash)).toContain(res.transactionHash);
    // The node's default indexEvents set (chain/app/indexevents.ts): replay lookups work, amounts are not indexed.
    expect((await client.searchTx(`tx.acc_seq='${from}/0'`)).map((t) => t.hash)).toEqual([res.transactionHash]);
    expect(await client.searchTx(`transfer.amount='123456ugrid'`)).toEqual([]);
    client.disconnect();
  });

  test("CheckTx rejects a reused sequence and a fee below the minimum; balances and sequence unchanged", async () => {
    const client = await SigningStargateClient.connectWithSigner(net!.rpcUrl, wallet, { broadcastPollIntervalMs: 300 });
    const acc = (await client.getAccount(from))!;
    const bal = (await client.getBalance(from, "ugrid")).amount;
    const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: other, amount: [{ denom: "ugrid", amount: "5" }] } };
    const fee = { amount: [{ denom: "ugrid", amount: "1000" }], gas: "200000" };

    const stale = await client.sign(from, [msg], fee, "", { accountNumber: acc.accountNumber, sequence: acc.sequence - 1, chainId: net!.chainId });
    await expect(client.broadcastTxSync(TxRaw.encode(stale).finish())).rejects.toThrow(/account sequence mismatch, expected \d+, got \d+/);

    const cheap = await client.sign(from, [msg], { amount: [{ denom: "ugrid", amount: "1" }], gas: "200000" }, "");
    await expect(client.broadcastTxSync(TxRaw.encode(cheap).finish())).rejects.toThrow(/insufficient fees/);

    const wrongChain = await client.sign(from, [msg], fee, "", { accountNumber: acc.accountNumber, sequence: acc.sequence, chainId: "other-chain-1" });
    await expect(client.broadcastTxSync(TxRaw.encode(wrongChain).finish())).rejects.toThrow(/signature verification failed/);

    const q = await StargateClient.connect(net!.rpcUrl);
    expect((await q.getBalance(from, "ugrid")).amount).toBe(bal);
    expect((await q.getAccount(from))!.sequence).toBe(acc.sequence);
    expect((await q.getBalance(other, "ugrid")).amount).toBe("0");
    q.disconnect();
    client.disconnect();
  });
});
