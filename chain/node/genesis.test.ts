import { DEFAULT_GENESIS_FILE, GENESIS_FUNDS_SOURCE, assembleGenesis, readGenesis } from "./genesis";

type Bal = { address: string; coins: Array<{ denom: string; amount: string }> };

const total = (balances: Bal[], denom: string) =>
  balances.reduce((s, b) => s + b.coins.filter((c) => c.denom === denom).reduce((t, c) => t + BigInt(c.amount), 0n), 0n);

function sourceAddress(appState: Record<string, any>): string {
  return appState.auth.accounts.find((a: any) => a.name === GENESIS_FUNDS_SOURCE).base_account.address;
}

const assemble = (funds: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>) =>
  assembleGenesis({ base: readGenesis(DEFAULT_GENESIS_FILE), chainId: "t-1", genesisTime: "2026-01-01T00:00:00Z", validators: [], funds });

describe("genesis funding keeps the fixed supply", () => {
  const base = readGenesis(DEFAULT_GENESIS_FILE);
  const baseSupply = total(base.app_state.bank.balances, "ugrid");
  const src = sourceAddress(base.app_state);
  const srcBefore = BigInt(base.app_state.bank.balances.find((b: Bal) => b.address === src).coins[0].amount);

  it("the repository genesis holds 100,000,000 GRID", () => {
    expect(baseSupply).toBe(100_000_000_000_000n);
  });

  it("funded accounts are carved out of the community pool; the total is unchanged", () => {
    const g = assemble([
      { address: "grid1aaaa", coins: [{ denom: "ugrid", amount: "1000000000000" }] },
      { address: "grid1bbbb", coins: [{ denom: "ugrid", amount: "5" }] },
    ]);
    const balances = g.app_state.bank.balances as Bal[];
    expect(total(balances, "ugrid")).toBe(baseSupply);
    expect(BigInt(balances.find((b) => b.address === src)!.coins[0]!.amount)).toBe(srcBefore - 1_000_000_000_005n);
    expect(balances.find((b) => b.address === "grid1bbbb")!.coins).toEqual([{ denom: "ugrid", amount: "5" }]);
  });

  it("an address already funded in the base is neither funded nor charged again", () => {
    const g = assemble([{ address: src, coins: [{ denom: "ugrid", amount: "7" }] }]);
    expect(total(g.app_state.bank.balances, "ugrid")).toBe(baseSupply);
    expect(BigInt((g.app_state.bank.balances as Bal[]).find((b) => b.address === src)!.coins[0]!.amount)).toBe(srcBefore);
  });

  it("funding more than the community pool holds is refused with what to do", () => {
    expect(() => assemble([{ address: "grid1cccc", coins: [{ denom: "ugrid", amount: (srcBefore + 1n).toString() }] }])).toThrow(
      /exceeds the community_pool allocation .*fund fewer accounts or smaller amounts/,
    );
    expect(() => assemble([{ address: "grid1cccc", coins: [{ denom: "uother", amount: "1" }] }])).toThrow(/exceeds the community_pool/);
  });

  it("the base genesis is not modified", () => {
    assemble([{ address: "grid1dddd", coins: [{ denom: "ugrid", amount: "9" }] }]);
    expect(total(base.app_state.bank.balances, "ugrid")).toBe(baseSupply);
  });
});
