/**
 * Deterministic gas and queries (SDK x/bank/keeper/deterministic_test.go; anchor B6 #6):
 *  - the blocks of a simulation, re-executed on a fresh App (FinalizeBlock only: no CheckTx, so a
 *    cold signature cache, no PrepareProposal), give identical gas_used per tx, identical results
 *    (code, data, log, events) and identical AppHashes;
 *  - each query, repeated SIM_QUERY_REPEATS times, returns identical bytes, and the same bytes on
 *    the replayed App at the same height.
 */
import { QueryAccountRequest, QueryAccountsRequest, QueryModuleAccountsRequest } from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryBalanceRequest,
  QueryDenomMetadataRequest,
  QuerySupplyOfRequest,
  QueryTotalSupplyRequest,
  QueryParamsRequest,
  QuerySpendableBalancesRequest,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service";
import type { RequestQuery } from "cosmjs-types/tendermint/abci/types";
import { fromBech32, toBech32 } from "../../chain/crypto/address";
import { fromHex, toHex } from "../../chain/crypto/hash";
import { balanceKey } from "../../modules/bank/keys";
import { buildSignedTx, msgSend } from "../helpers/txkit";
import { digestResults, envInt, initChain, openSimApp, runSim, simGenesis, SIM_CHAIN_ID, type OpenedApp } from "./sim";
import { TempDirs } from "./tmp";
import { Rng } from "./rng";

const BLOCKS = envInt("SIM_BLOCKS", 8);
const TXS = envInt("SIM_TXS", 30);
const REPEATS = envInt("SIM_QUERY_REPEATS", 200);
const TIMEOUT = envInt("SIM_TIMEOUT_MS", 600_000);
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

function queries(addrs: string[], users: string[], rng: Rng, signer: { key: Parameters<typeof buildSignedTx>[0]["key"]; accountNumber: bigint; sequence: bigint }): RequestQuery[] {
  const q = (path: string, data: Uint8Array, prove = false): RequestQuery => ({ path, data, height: 0n, prove });
  const out: RequestQuery[] = [];
  for (let i = 0; i < 3; i++) {
    const address = rng.pick(addrs);
    out.push(q("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "ugrid" }).finish()));
    out.push(q("/cosmos.bank.v1beta1.Query/AllBalances", QueryAllBalancesRequest.encode({ address, resolveDenom: false }).finish()));
    out.push(q("/cosmos.bank.v1beta1.Query/SpendableBalances", QuerySpendableBalancesRequest.encode({ address }).finish()));
    out.push(q("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish()));
    out.push(q("/store/bank/key", balanceKey(fromBech32(address), "ugrid"), true));
  }
  out.push(q("/cosmos.auth.v1beta1.Query/Accounts", QueryAccountsRequest.encode({ pagination: { key: new Uint8Array(), offset: 3n, limit: 7n, countTotal: true, reverse: false } }).finish()));
  out.push(q("/cosmos.auth.v1beta1.Query/ModuleAccounts", QueryModuleAccountsRequest.encode({}).finish()));
  out.push(q("/cosmos.bank.v1beta1.Query/TotalSupply", QueryTotalSupplyRequest.encode({}).finish()));
  out.push(q("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "uhash" }).finish()));
  out.push(q("/cosmos.bank.v1beta1.Query/Params", QueryParamsRequest.encode({}).finish()));
  out.push(q("/cosmos.bank.v1beta1.Query/DenomMetadata", QueryDenomMetadataRequest.encode({ denom: "ugrid" }).finish()));
  out.push(q("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: "not-an-address", denom: "ugrid" }).finish())); // an error answer is deterministic too
  const tx = buildSignedTx({ key: signer.key, msgs: [msgSend(signer.key.address, rng.pick(users.filter((u) => u !== signer.key.address)), 1000n)], chainId: SIM_CHAIN_ID, accountNumber: signer.accountNumber, sequence: signer.sequence }).bytes;
  out.push(q("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: tx }).finish()));
  return out;
}


function answer(o: OpenedApp, q: RequestQuery): string {
  const r = o.app.query(q);
  const proof = (r.proofOps?.ops ?? []).map((p) => `${p.type}:${toHex(p.key)}:${toHex(p.data)}`).join("|");
  return `${r.code}/${r.codespace}/${r.log}/${r.height}/${toHex(r.key)}/${toHex(r.value)}/${proof}`;
}

test(
  `re-executing ${BLOCKS} blocks × ${TXS} txs on a fresh App: identical gas per tx, results and AppHashes; queries ×${REPEATS} identical`,
  async () => {
    const seed = "gas";
    const sim = await runSim({ seed, dir: dirs.next("sim"), blocks: BLOCKS, txsPerBlock: TXS, keepOpen: true });
    const a = sim.opened!;

    const b = await openSimApp(dirs.next("replay"));
    initChain(b.app, simGenesis(seed, 20).appStateBytes);
    for (const blk of sim.blocks) {
      const r = b.app.finalizeBlock(blk.req);
      const gas = r.txResults.map((x) => x.gasUsed);
      expect(gas).toEqual(blk.results.map((x) => x.gasUsed));
      expect(r.txResults.map((x) => x.gasWanted)).toEqual(blk.results.map((x) => x.gasWanted));
      expect(digestResults(r.txResults)).toBe(blk.resultsDigest);
      expect(toHex(r.appHash)).toBe(blk.appHash);
      await b.app.commit();
    }
    const usedGas = sim.blocks.flatMap((x) => x.results.map((r) => r.gasUsed));
    expect(new Set(usedGas.map(String)).size).toBeGreaterThan(5); // a variety of gas amounts was compared

    const addrs = [...sim.model.accounts.keys()].sort().map((h) => toBech32(fromHex(h)));
    const users = [...sim.model.accounts.keys()].filter((h) => !sim.model.isModule(h)).sort().map((h) => toBech32(fromHex(h))); // module accounts refuse sends
    const signerHex = [...sim.keys.keys()].filter((h) => sim.model.accounts.has(h) && sim.model.balance(h, "ugrid") > 10_000n).sort()[0]!;
    const acc = sim.model.accounts.get(signerHex)!;
    const qs = queries(addrs, users, new Rng(`${seed}/queries`), { key: sim.keys.get(signerHex)!, accountNumber: acc.number, sequence: acc.seq });
    for (const q of qs) {
      const first = answer(a, q);
      for (let i = 1; i < REPEATS; i++) {
        const again = answer(a, q);
        if (again !== first) throw new Error(`${q.path}: answer ${i} differs from the first`);
      }
      expect(answer(b, q)).toBe(first); // the replayed node answers the same bytes
    }
    // The Simulate query really executed the tx (gas reported, no error).
    expect(answer(a, qs[qs.length - 1]!)).toMatch(/^0\/\//);
    await a.close();
    await b.close();
  },
  TIMEOUT,
);
