/**
 * bank genesis in the Cosmos SDK JSON layout:
 *   { "params": {"send_enabled": [], "default_send_enabled": true},
 *     "balances": [{"address", "coins": [{"denom", "amount"}]}],
 *     "supply": [],            // empty = computed from balances; otherwise must equal their sum
 *     "denom_metadata": [...], "send_enabled": [{"denom", "enabled"}] }
 *
 * The default genesis holds SPEC.md's fixed supply of 100,000,000 GRID: 10% in the insurance pool,
 * 50% in the rewards reserve, the rest in the community pool, from which `allocateGenesisAccounts`
 * carves genesis (and devnet) accounts so that the supply stays fixed.
 */
import { Metadata as MetadataCodec, type Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import type { Context, ModuleGenesis } from "../../chain/app/types";
import { fromBech32, moduleAddress, toBech32 } from "../../chain/crypto/address";
import { compareBytes } from "../../chain/crypto/hash";
import { addCoins, coinsEqual, isValidDenom, parseAmount, parseCoins, type BigCoin } from "./coins";
import { bankErrors } from "./errors";
import type { BankKeeper } from "./keeper";
import { BALANCES_PREFIX, DENOM_METADATA_PREFIX, SEND_ENABLED_PREFIX, STORE_NAME, decodeDenom, parseBalanceKey, decodeAmount } from "./keys";

export const BASE_DENOM = "ugrid";
export const DISPLAY_DENOM = "GRID";
export const DECIMALS = 6;
const UNIT = 10n ** BigInt(DECIMALS);
export const GENESIS_SUPPLY = 100_000_000n * UNIT;

export const GRID_METADATA: Metadata = {
  description: "The native staking and fee token of Hashgrid.",
  denomUnits: [
    { denom: BASE_DENOM, exponent: 0, aliases: ["microgrid"] },
    { denom: "mgrid", exponent: 3, aliases: ["milligrid"] },
    { denom: "grid", exponent: DECIMALS, aliases: [] },
  ],
  base: BASE_DENOM,
  display: "grid",
  name: "Hashgrid",
  symbol: DISPLAY_DENOM,
  uri: "",
  uriHash: "",
};

export interface CoinJSON {
  denom: string;
  amount: string;
}
export interface BalanceJSON {
  address: string;
  coins: CoinJSON[];
}
export interface BankGenesisJSON {
  params: { send_enabled: unknown[]; default_send_enabled: boolean };
  balances: BalanceJSON[];
  supply: CoinJSON[];
  denom_metadata: Record<string, unknown>[];
  send_enabled: { denom: string; enabled: boolean }[];
}

const MAX_BALANCES = 10_000_000;

function err(path: string, why: string): never {
  throw bankErrors.InvalidGenesis.wrap(`${path}: ${why}`);
}
function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function wrap<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return err(path, (e as Error).message);
  }
}

function parseCoinList(raw: unknown, path: string, allowEmpty: boolean): BigCoin[] {
  if (!Array.isArray(raw)) err(path, "must be a list of {denom, amount}");
  return wrap(path, () =>
    parseCoins(
      raw.map((c, i) => {
        if (!isObj(c)) err(`${path}[${i}]`, "must be {denom, amount}");
        return { denom: String(c.denom), amount: String(c.amount) };
      }),
      path,
      allowEmpty,
    ),
  );
}

export function metadataToJSON(m: Metadata): Record<string, unknown> {
  return {
    description: m.description,
    denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: [...u.aliases] })),
    base: m.base,
    display: m.display,
    name: m.name,
    symbol: m.symbol,
    uri: m.uri,
    uri_hash: m.uriHash,
  };
}

function parseMetadata(raw: unknown, path: string): Metadata {
  if (!isObj(raw)) err(path, "must be an object");
  const str = (k: string, max = 256) => {
    const v = raw[k] ?? "";
    if (typeof v !== "string" || v.length > max) err(`${path}.${k}`, `must be a string of at most ${max} characters`);
    return v;
  };
  const base = str("base");
  if (!isValidDenom(base)) err(`${path}.base`, "invalid denom");
  const units = raw.denom_units;
  if (!Array.isArray(units) || units.length === 0 || units.length > 16) err(`${path}.denom_units`, "must list 1-16 units");
  const denomUnits = units.map((u, i) => {
    if (!isObj(u) || typeof u.denom !== "string" || !Number.isInteger(u.exponent) || (u.exponent as number) < 0 || (u.exponent as number) > 18) {
      err(`${path}.denom_units[${i}]`, "must be {denom, exponent 0-18, aliases}");
    }
    const aliases = u.aliases ?? [];
    if (!Array.isArray(aliases) || aliases.length > 8 || !aliases.every((a) => typeof a === "string" && a.length <= 64)) {
      err(`${path}.denom_units[${i}].aliases`, "must be at most 8 strings");
    }
    return { denom: u.denom as string, exponent: u.exponent as number, aliases: aliases as string[] };
  });
  if (denomUnits[0].denom !== base || denomUnits[0].exponent !== 0) err(`${path}.denom_units[0]`, "must be the base denom with exponent 0");
  const display = str("display");
  if (!denomUnits.some((u) => u.denom === display)) err(`${path}.display`, "must be one of denom_units");
  return { description: str("description", 2048), denomUnits, base, display, name: str("name"), symbol: str("symbol"), uri: str("uri", 512), uriHash: str("uri_hash") };
}

export interface BankGenesis {
  readonly defaultSendEnabled: boolean;
  readonly balances: ReadonlyArray<{ addr: Uint8Array; coins: BigCoin[] }>;
  readonly supply: BigCoin[];
  readonly metadata: Metadata[];
  readonly sendEnabled: ReadonlyArray<{ denom: string; enabled: boolean }>;
}

export function parseBankGenesis(raw: unknown): BankGenesis {
  if (!isObj(raw)) err("bank", "must be an object");
  const params = raw.params ?? { send_enabled: [], default_send_enabled: true };
  if (!isObj(params)) err("bank.params", "must be an object");
  if (typeof params.default_send_enabled !== "boolean") err("bank.params.default_send_enabled", "must be true or false");
  if (Array.isArray(params.send_enabled) && params.send_enabled.length > 0) {
    err("bank.params.send_enabled", "is deprecated and must be empty; use bank.send_enabled");
  }
  const balRaw = raw.balances ?? [];
  if (!Array.isArray(balRaw) || balRaw.length > MAX_BALANCES) err("bank.balances", `must be a list of at most ${MAX_BALANCES}`);
  const seen = new Set<string>();
  const balances = balRaw.map((b, i) => {
    if (!isObj(b)) err(`bank.balances[${i}]`, "must be {address, coins}");
    const addr = wrap(`bank.balances[${i}].address`, () => fromBech32(b.address));
    const k = Buffer.from(addr).toString("hex");
    if (seen.has(k)) err(`bank.balances[${i}]`, `duplicate address ${String(b.address)}`);
    seen.add(k);
    return { addr, coins: parseCoinList(b.coins, `bank.balances[${i}].coins`, true) };
  });
  const computed = addCoins(...balances.map((b) => b.coins));
  const given = parseCoinList(raw.supply ?? [], "bank.supply", true);
  if (given.length > 0 && !coinsEqual(given, computed)) {
    err("bank.supply", `does not match the sum of balances (${computed.map((c) => `${c.amount}${c.denom}`).join(",")})`);
  }
  const mdRaw = raw.denom_metadata ?? [];
  if (!Array.isArray(mdRaw) || mdRaw.length > 1000) err("bank.denom_metadata", "must be a list of at most 1000");
  const metadata = mdRaw.map((m, i) => parseMetadata(m, `bank.denom_metadata[${i}]`));
  const seRaw = raw.send_enabled ?? [];
  if (!Array.isArray(seRaw) || seRaw.length > 1000) err("bank.send_enabled", "must be a list of at most 1000");
  const sendEnabled = seRaw.map((s, i) => {
    if (!isObj(s) || !isValidDenom(s.denom) || typeof s.enabled !== "boolean") err(`bank.send_enabled[${i}]`, "must be {denom, enabled}");
    return { denom: s.denom as string, enabled: s.enabled as boolean };
  });
  return { defaultSendEnabled: params.default_send_enabled, balances, supply: computed, metadata, sendEnabled };
}

function coinsJSON(c: readonly BigCoin[]): CoinJSON[] {
  return c.map((x) => ({ denom: x.denom, amount: x.amount.toString() }));
}

export function bankGenesisToJSON(g: BankGenesis): BankGenesisJSON {
  return {
    params: { send_enabled: [], default_send_enabled: g.defaultSendEnabled },
    balances: g.balances.map((b) => ({ address: toBech32(b.addr), coins: coinsJSON(b.coins) })),
    supply: coinsJSON(g.supply),
    denom_metadata: g.metadata.map(metadataToJSON),
    send_enabled: g.sendEnabled.map((s) => ({ ...s })),
  };
}

/** Default allocation of the 100,000,000 GRID genesis supply (module account name → ugrid). */
export const DEFAULT_ALLOCATION: ReadonlyArray<readonly [string, bigint]> = [
  ["insurance_pool", (GENESIS_SUPPLY * 10n) / 100n],
  ["rewards_reserve", (GENESIS_SUPPLY * 50n) / 100n],
  ["community_pool", (GENESIS_SUPPLY * 40n) / 100n],
];

export function defaultBankGenesis(): BankGenesisJSON {
  return {
    params: { send_enabled: [], default_send_enabled: true },
    balances: DEFAULT_ALLOCATION.map(([name, amount]) => ({
      address: toBech32(moduleAddress(name)),
      coins: [{ denom: BASE_DENOM, amount: amount.toString() }],
    })).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)),
    supply: [],
    denom_metadata: [metadataToJSON(GRID_METADATA)],
    send_enabled: [],
  };
}

/**
 * Gives `accounts` their ugrid out of the community pool's genesis balance (supply unchanged) and
 * adds BaseAccounts for them to auth genesis. Used by devnet/localnet genesis assembly.
 */
export function allocateGenesisAccounts(
  appState: { auth: { accounts: Record<string, unknown>[] }; bank: BankGenesisJSON },
  accounts: ReadonlyArray<{ address: string; amount: bigint }>,
  fromModule = "community_pool",
): void {
  const poolAddr = toBech32(moduleAddress(fromModule));
  const pool = appState.bank.balances.find((b) => b.address === poolAddr);
  const poolCoin = pool?.coins.find((c) => c.denom === BASE_DENOM);
  if (!pool || !poolCoin) throw new Error(`genesis has no ${BASE_DENOM} balance for module account ${fromModule}`);
  let left = parseAmount(poolCoin.amount, "pool");
  for (const a of accounts) {
    fromBech32(a.address);
    if (a.amount <= 0n || a.amount > left) throw new Error(`cannot allocate ${a.amount}${BASE_DENOM} to ${a.address}: ${left} left in ${fromModule}`);
    left -= a.amount;
    const existing = appState.bank.balances.find((b) => b.address === a.address);
    if (existing) {
      const c = existing.coins.find((x) => x.denom === BASE_DENOM);
      if (c) c.amount = (BigInt(c.amount) + a.amount).toString();
      else existing.coins = [...existing.coins, { denom: BASE_DENOM, amount: a.amount.toString() }].sort((x, y) => (x.denom < y.denom ? -1 : 1));
    } else {
      appState.bank.balances.push({ address: a.address, coins: [{ denom: BASE_DENOM, amount: a.amount.toString() }] });
    }
    if (!appState.auth.accounts.some((x) => x.address === a.address)) {
      appState.auth.accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: a.address, pub_key: null, account_number: "0", sequence: "0" });
    }
  }
  poolCoin.amount = left.toString();
  appState.bank.balances.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

export function bankGenesis(keeper: BankKeeper): ModuleGenesis<BankGenesisJSON> {
  return {
    defaultGenesis: defaultBankGenesis,
    validateGenesis: (raw) => bankGenesisToJSON(parseBankGenesis(raw)),
    initGenesis(ctx: Context, state: BankGenesisJSON): void {
      const g = parseBankGenesis(state);
      keeper.setParams(ctx, { sendEnabled: [], defaultSendEnabled: g.defaultSendEnabled });
      for (const s of g.sendEnabled) keeper.setSendEnabled(ctx, s.denom, s.enabled);
      const s = ctx.store(STORE_NAME);
      for (const b of g.balances) {
        for (const c of b.coins) s.set(new Uint8Array([...BALANCES_PREFIX, b.addr.length, ...b.addr, ...new TextEncoder().encode(c.denom)]), new TextEncoder().encode(c.amount.toString()));
        keeper.accounts.ensureAccount(ctx, b.addr);
      }
      for (const c of g.supply) keeper.setSupply(ctx, c.denom, c.amount);
      for (const m of g.metadata) keeper.setDenomMetadata(ctx, m);
    },
    exportGenesis(ctx: Context): BankGenesisJSON {
      const s = ctx.multiStore.getStore(STORE_NAME);
      const balances: { addr: Uint8Array; coins: BigCoin[] }[] = [];
      for (const [k, v] of s.prefixIterator(BALANCES_PREFIX)) {
        const p = parseBalanceKey(k.subarray(1));
        if (!p) continue;
        const last = balances[balances.length - 1];
        const coin = { denom: p.denom, amount: decodeAmount(v) };
        if (last && compareBytes(last.addr, p.addr) === 0) last.coins.push(coin);
        else balances.push({ addr: Uint8Array.from(p.addr), coins: [coin] });
      }
      const sendEnabled: { denom: string; enabled: boolean }[] = [];
      for (const [k, v] of s.prefixIterator(SEND_ENABLED_PREFIX)) sendEnabled.push({ denom: decodeDenom(k.subarray(1)), enabled: v[0] === 1 });
      const metadata: Metadata[] = [];
      for (const [, v] of s.prefixIterator(DENOM_METADATA_PREFIX)) metadata.push(MetadataCodec.decode(v));
      const g: BankGenesis = {
        defaultSendEnabled: keeper.getParams(ctx).defaultSendEnabled,
        balances,
        supply: addCoins(...balances.map((b) => b.coins)),
        metadata,
        sendEnabled,
      };
      return bankGenesisToJSON(g);
    },
  };
}
