/**
 * auth genesis, in the Cosmos SDK JSON layout:
 *   { "params": {...}, "accounts": [ {"@type": "/cosmos.auth.v1beta1.BaseAccount", "address", "pub_key",
 *     "account_number", "sequence"} | {"@type": "/cosmos.auth.v1beta1.ModuleAccount", "base_account": {...},
 *     "name", "permissions"} ] }
 * Account numbers: accounts are sorted by the given number and each gets max(given, next free),
 * so a genesis that lists every account with "0" numbers them in order (as the SDK's sanitize).
 */
import type { Context, ModuleGenesis } from "../../chain/app/types";
import { fromBech32, moduleAddress, toBech32 } from "../../chain/crypto/address";
import { bytesEqual, compareBytes } from "../../chain/crypto/hash";
import { BASE_ACCOUNT_TYPE, MODULE_ACCOUNT_TYPE, SECP256K1_PUBKEY_TYPE, accountToJSON, type Account } from "./account";
import { authErrors } from "./errors";
import type { AuthKeeper } from "./keeper";
import { MODULE_ACCOUNT_PREFIX, STORE_NAME } from "./keys";
import { DEFAULT_PARAMS, paramsToJSON, validateParams, type Params } from "./params";

export interface AuthGenesisJSON {
  params: Record<string, string>;
  accounts: Record<string, unknown>[];
}

/** Module accounts every Hashgrid network has (name → permissions). */
export const DEFAULT_MODULE_ACCOUNTS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["fee_collector", []],
  ["insurance_pool", []],
  ["rewards_reserve", []],
  ["community_pool", []],
];

const MAX_GENESIS_ACCOUNTS = 10_000_000;
const MODULE_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;

function err(path: string, why: string): never {
  throw authErrors.InvalidGenesis.wrap(`${path}: ${why}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function u64(v: unknown, path: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(v)) err(path, `must be a non-negative integer string, got ${JSON.stringify(v)}`);
  const b = BigInt(v);
  if (b > 0xffffffffffffffffn) err(path, "exceeds uint64");
  return b;
}

export function parseParams(raw: unknown, path = "auth.params"): Params {
  if (!isObj(raw)) err(path, "must be an object");
  const p: Params = {
    maxMemoCharacters: u64(raw.max_memo_characters, `${path}.max_memo_characters`),
    txSigLimit: u64(raw.tx_sig_limit, `${path}.tx_sig_limit`),
    txSizeCostPerByte: u64(raw.tx_size_cost_per_byte, `${path}.tx_size_cost_per_byte`),
    sigVerifyCostEd25519: u64(raw.sig_verify_cost_ed25519, `${path}.sig_verify_cost_ed25519`),
    sigVerifyCostSecp256k1: u64(raw.sig_verify_cost_secp256k1, `${path}.sig_verify_cost_secp256k1`),
  };
  validateParams(p, path);
  return p;
}

function parseBase(raw: unknown, path: string): Omit<Account, "module"> {
  if (!isObj(raw)) err(path, "must be an object");
  let address: Uint8Array;
  try {
    address = fromBech32(raw.address, `${path}.address`);
  } catch (e) {
    err(path, (e as Error).message);
  }
  let pubKey: Uint8Array | undefined;
  if (raw.pub_key !== undefined && raw.pub_key !== null) {
    const pk = raw.pub_key;
    if (!isObj(pk) || pk["@type"] !== SECP256K1_PUBKEY_TYPE || typeof pk.key !== "string") {
      err(`${path}.pub_key`, `must be null or {"@type": "${SECP256K1_PUBKEY_TYPE}", "key": base64}`);
    }
    pubKey = new Uint8Array(Buffer.from(pk.key as string, "base64"));
    if (pubKey.length !== 33) err(`${path}.pub_key.key`, `must be a 33-byte compressed key, got ${pubKey.length} bytes`);
  }
  return {
    address,
    pubKey,
    accountNumber: u64(raw.account_number ?? "0", `${path}.account_number`),
    sequence: u64(raw.sequence ?? "0", `${path}.sequence`),
  };
}

export function parseAccount(raw: unknown, path: string): Account {
  if (!isObj(raw)) err(path, "must be an object");
  const t = raw["@type"];
  if (t === BASE_ACCOUNT_TYPE) return parseBase(raw, path);
  if (t === MODULE_ACCOUNT_TYPE) {
    const base = parseBase(raw.base_account, `${path}.base_account`);
    const name = raw.name;
    if (typeof name !== "string" || !MODULE_NAME_RE.test(name)) err(`${path}.name`, "must match [a-z][a-z0-9_]{0,63}");
    if (!bytesEqual(base.address, moduleAddress(name))) {
      err(`${path}.base_account.address`, `must be the module address of "${name}" (${toBech32(moduleAddress(name))})`);
    }
    const perms = raw.permissions ?? [];
    if (!Array.isArray(perms) || perms.length > 16 || !perms.every((p) => typeof p === "string" && /^[a-z_]{1,32}$/.test(p))) {
      err(`${path}.permissions`, "must be a list of at most 16 permission names");
    }
    return { ...base, module: { name, permissions: [...(perms as string[])].sort() } };
  }
  return err(`${path}.@type`, `must be "${BASE_ACCOUNT_TYPE}" or "${MODULE_ACCOUNT_TYPE}", got ${JSON.stringify(t)}`);
}

export interface AuthGenesis {
  readonly params: Params;
  readonly accounts: readonly Account[];
}

export function parseAuthGenesis(raw: unknown): AuthGenesis {
  if (!isObj(raw)) err("auth", "must be an object");
  const params = parseParams(raw.params);
  const list = raw.accounts ?? [];
  if (!Array.isArray(list)) err("auth.accounts", "must be a list");
  if (list.length > MAX_GENESIS_ACCOUNTS) err("auth.accounts", `more than ${MAX_GENESIS_ACCOUNTS} accounts`);
  const accounts = list.map((a, i) => parseAccount(a, `auth.accounts[${i}]`));
  const seen = new Set<string>();
  const names = new Set<string>();
  accounts.forEach((a, i) => {
    const k = Buffer.from(a.address).toString("hex");
    if (seen.has(k)) err(`auth.accounts[${i}]`, `duplicate address ${toBech32(a.address)}`);
    seen.add(k);
    if (a.module) {
      if (names.has(a.module.name)) err(`auth.accounts[${i}]`, `duplicate module account "${a.module.name}"`);
      names.add(a.module.name);
    }
  });
  return { params, accounts };
}

export function authGenesisToJSON(g: AuthGenesis): AuthGenesisJSON {
  return { params: paramsToJSON(g.params), accounts: g.accounts.map(accountToJSON) };
}

export function defaultAuthGenesis(): AuthGenesisJSON {
  return {
    params: paramsToJSON(DEFAULT_PARAMS),
    accounts: DEFAULT_MODULE_ACCOUNTS.map(([name, perms]) =>
      accountToJSON({ address: moduleAddress(name), accountNumber: 0n, sequence: 0n, module: { name, permissions: perms } }),
    ),
  };
}

export function authGenesis(keeper: AuthKeeper): ModuleGenesis<AuthGenesisJSON> {
  return {
    defaultGenesis: defaultAuthGenesis,
    validateGenesis(raw: unknown): AuthGenesisJSON {
      return authGenesisToJSON(parseAuthGenesis(raw));
    },
    initGenesis(ctx: Context, state: AuthGenesisJSON): void {
      const g = parseAuthGenesis(state);
      keeper.setParams(ctx, g.params);
      // Stable sort by the given account number; ties keep genesis order.
      const order = g.accounts.map((a, i) => [a, i] as const);
      order.sort((x, y) => (x[0].accountNumber < y[0].accountNumber ? -1 : x[0].accountNumber > y[0].accountNumber ? 1 : x[1] - y[1]));
      let next = keeper.peekNextAccountNumber(ctx);
      const s = ctx.store(STORE_NAME);
      for (const [a] of order) {
        const num = a.accountNumber > next ? a.accountNumber : next;
        next = num + 1n;
        keeper.setAccount(ctx, { ...a, accountNumber: num });
        if (a.module) {
          const key = new Uint8Array([...MODULE_ACCOUNT_PREFIX, ...new TextEncoder().encode(a.module.name)]);
          s.set(key, a.address);
        }
      }
      keeper.setNextAccountNumber(ctx, next);
      // The fee collector must be a module account: the ante pipeline pays fees to its address.
      keeper.ensureModuleAccount(ctx, "fee_collector", []);
    },
    exportGenesis(ctx: Context): AuthGenesisJSON {
      const accounts = [...keeper.iterateAccounts(ctx.multiStore.getStore(STORE_NAME))];
      accounts.sort((a, b) => (a.accountNumber < b.accountNumber ? -1 : a.accountNumber > b.accountNumber ? 1 : compareBytes(a.address, b.address)));
      return authGenesisToJSON({ params: keeper.getParams(ctx), accounts });
    },
  };
}
