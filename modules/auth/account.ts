/**
 * Accounts as stored and queried: an `Any` wrapping cosmos.auth.v1beta1.BaseAccount or
 * ModuleAccount, exactly what CosmJS's accountFromAny and Keplr parse.
 */
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { fromBech32, toBech32 } from "../../chain/crypto/address";
import { PbWriter, encodeAny } from "../../chain/tx/pb";
import "../../chain/tx/protobuf-perf";

export const BASE_ACCOUNT_TYPE = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE = "/cosmos.auth.v1beta1.ModuleAccount";
export const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";

/** Module account permissions (as the SDK's authtypes). */
export const PERM_MINTER = "minter";
export const PERM_BURNER = "burner";
export const PERM_STAKING = "staking";

export interface Account {
  /** Raw address bytes (20 for keys, 20 for module accounts). */
  readonly address: Uint8Array;
  /** Compressed secp256k1 key, recorded on the account's first signed tx. */
  pubKey?: Uint8Array;
  readonly accountNumber: bigint;
  sequence: bigint;
  /** Set for module accounts. */
  readonly module?: { readonly name: string; readonly permissions: readonly string[] };
}

function baseAccountOf(a: Account): BaseAccount {
  return {
    address: toBech32(a.address),
    pubKey: a.pubKey ? { typeUrl: SECP256K1_PUBKEY_TYPE, value: Secp256k1PubKey.encode({ key: a.pubKey }).finish() } : undefined,
    accountNumber: a.accountNumber,
    sequence: a.sequence,
  };
}

/** The account as a protobuf Any (what the store keeps and queries return). */
export function accountToAny(a: Account): Any {
  if (a.module) {
    return {
      typeUrl: MODULE_ACCOUNT_TYPE,
      value: ModuleAccount.encode({ baseAccount: baseAccountOf(a), name: a.module.name, permissions: [...a.module.permissions] }).finish(),
    };
  }
  return { typeUrl: BASE_ACCOUNT_TYPE, value: BaseAccount.encode(baseAccountOf(a)).finish() };
}

/** Stored form: Any(BaseAccount) encoded by hand on the hot path (byte-identical to cosmjs-types; tested). */
export function encodeAccount(a: Account): Uint8Array {
  if (a.module) return Any.encode(accountToAny(a)).finish();
  const w = new PbWriter(128).stringField(1, toBech32(a.address));
  if (a.pubKey) {
    const pk = new PbWriter(40).bytesField(1, a.pubKey).finish();
    w.bytesFieldAlways(2, encodeAny(SECP256K1_PUBKEY_TYPE, pk));
  }
  w.uint64Field(3, a.accountNumber).uint64Field(4, a.sequence);
  return encodeAny(BASE_ACCOUNT_TYPE, w.finish());
}

function fromBase(b: BaseAccount, module?: Account["module"], addr?: Uint8Array): Account {
  let pubKey: Uint8Array | undefined;
  if (b.pubKey && b.pubKey.typeUrl === SECP256K1_PUBKEY_TYPE) pubKey = Secp256k1PubKey.decode(b.pubKey.value).key;
  return { address: addr ?? fromBech32(b.address), pubKey, accountNumber: b.accountNumber, sequence: b.sequence, module };
}

/** Decodes stored account bytes (our own writes: trusted layout). `addr`, when known from the key, skips a bech32 decode. */
export function decodeAccount(bytes: Uint8Array, addr?: Uint8Array): Account {
  const any = Any.decode(bytes);
  if (any.typeUrl === BASE_ACCOUNT_TYPE) return fromBase(BaseAccount.decode(any.value), undefined, addr);
  if (any.typeUrl === MODULE_ACCOUNT_TYPE) {
    const m = ModuleAccount.decode(any.value);
    if (!m.baseAccount) throw new Error("stored module account without base_account");
    return fromBase(m.baseAccount, { name: m.name, permissions: m.permissions }, addr);
  }
  throw new Error(`stored account has unknown type ${any.typeUrl}`);
}

/** Genesis / REST JSON form (SDK JSONPb: snake_case, "@type", u64 as strings). */
export function accountToJSON(a: Account): Record<string, unknown> {
  const base = {
    address: toBech32(a.address),
    pub_key: a.pubKey ? { "@type": SECP256K1_PUBKEY_TYPE, key: Buffer.from(a.pubKey).toString("base64") } : null,
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
  };
  if (a.module) {
    return { "@type": MODULE_ACCOUNT_TYPE, base_account: base, name: a.module.name, permissions: [...a.module.permissions] };
  }
  return { "@type": BASE_ACCOUNT_TYPE, ...base };
}
