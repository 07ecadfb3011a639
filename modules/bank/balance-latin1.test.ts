/**
 * Balances are read and written as latin1 strings when the store is a branch (GasKVStore over a
 * CacheKV): the results, gas steps and stored bytes must equal the plain byte path's.
 */
import { createContext, BasicGasMeter } from "../../chain/app/context";
import type { CacheMultiStore } from "../../chain/store/types";
import { openMultiStore } from "../../chain/store/multistore";
import { tempDir } from "../../chain/store/testutil";
import { MemStore, newMemDisk } from "../../test/helpers/memStore";
import { silent } from "../../test/helpers/txkit";
import { AuthKeeper } from "../auth/keeper";
import { BankKeeper } from "./keeper";
import { balanceKey, decodeAmount, decodeAmountLatin1 } from "./keys";

const ctxOf = (s: CacheMultiStore, gas: BasicGasMeter) =>
  createContext({ header: { height: 3n, time: { seconds: 0n, nanos: 0 }, chainId: "t", proposer: new Uint8Array() }, mode: "finalize", store: s, gas, logger: silent });

const A = new Uint8Array(20).fill(1);
const B = new Uint8Array(20).fill(2);
const raw = (s: string) => Buffer.from(s, "latin1");

/** Runs the same balance operations on `branch`, recording every result, gas figure and error. */
function script(branch: CacheMultiStore): unknown[] {
  const bank = new BankKeeper(new AuthKeeper());
  const out: unknown[] = [];
  const step = (f: (c: ReturnType<typeof ctxOf>) => unknown) => {
    const meter = new BasicGasMeter(0n);
    try {
      out.push(f(ctxOf(branch, meter)));
    } catch (e) {
      out.push(`error ${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
    out.push(meter.consumed());
  };
  for (const amount of [1n, 999_999_999_999_999n, 1_000_000_000_000_000n, 2n ** 100n, 7n]) {
    step((c) => bank.addCoins(c, A, [{ denom: "ugrid", amount }]));
    step((c) => bank.getBalance(c, A, "ugrid"));
  }
  step((c) => bank.sendCoins(c, A, B, [{ denom: "ugrid", amount: 5n }]));
  step((c) => bank.subtractCoins(c, A, [{ denom: "ugrid", amount: bank.getBalance(c, A, "ugrid") }])); // to zero: a delete
  step((c) => [bank.getBalance(c, A, "ugrid"), bank.getBalance(c, B, "ugrid")]);
  // Values no keeper writes, stored directly: leading zeros, a sign, spaces, a non-ASCII byte.
  for (const v of ["007", "-3", " 12 ", "0", "12x", "\xff1"]) {
    branch.getStore("bank").set(balanceKey(B, "odd"), raw(v));
    step((c) => bank.getBalance(c, B, "odd"));
  }
  const bytes: string[] = [];
  for (const k of [balanceKey(A, "ugrid"), balanceKey(B, "ugrid"), balanceKey(B, "odd")]) {
    const v = branch.getStore("bank").get(k);
    bytes.push(v === undefined ? "-" : Buffer.from(v).toString("hex"));
  }
  out.push(bytes);
  return out;
}

test("balance reads and writes through a branch equal the byte path (results, gas, bytes)", async () => {
  const t = tempDir("hg-bal-");
  const root = await openMultiStore({ dir: t.dir, storeNames: ["auth", "bank"] });
  try {
    const viaBranch = script(root.branch());
    const viaBytes = script(new MemStore(["auth", "bank"], newMemDisk()).branch());
    expect(viaBranch).toEqual(viaBytes);
    expect(viaBranch.filter((x) => typeof x === "string" && x.startsWith("error")).length).toBeGreaterThan(0);
  } finally {
    await root.close();
    t.cleanup();
  }
});

test("decodeAmountLatin1 equals decodeAmount of the string's bytes", () => {
  for (const s of ["0", "1", "10", "007", "999999999999999", "1000000000000000", "123456789012345678901234567890", "-5", " 4", "4 ", "", "1e3", "0x10", "\u00e91"]) {
    const want = (() => {
      try {
        return decodeAmount(raw(s));
      } catch (e) {
        return (e as Error).message;
      }
    })();
    const got = (() => {
      try {
        return decodeAmountLatin1(s);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(got).toEqual(want);
  }
});
