/**
 * Accounts as stored and queried: an `Any` wrapping cosmos.auth.v1beta1.BaseAccount or
 * ModuleAccount, exactly what CosmJS's accountFromAny and Keplr parse.
 */
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { fromBech32, toBech32 } from "../../chain/crypto/address";
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

const BASE_ACCOUNT_TYPE_BYTES = new TextEncoder().encode(BASE_ACCOUNT_TYPE);
const PUBKEY_TYPE_BYTES = new TextEncoder().encode(SECP256K1_PUBKEY_TYPE);

function varintLength(n: number): number {
  let len = 1;
  while (n > 127) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Length of a uint64 varint (wrapping to 64 bits like PbWriter / Go). */
function u64Length(v: bigint): number {
  if (v >= 0n && v < 0x20000000000000n) return varintLength(Number(v)); // no bigint per 7 bits
  let b = BigInt.asUintN(64, v);
  let len = 1;
  while (b > 127n) {
    b >>= 7n;
    len++;
  }
  return len;
}

function putVarint(out: Uint8Array, pos: number, n: number): number {
  while (n > 127) {
    out[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

function putU64(out: Uint8Array, pos: number, v: bigint): number {
  let b = BigInt.asUintN(64, v);
  if (b < 0x20000000000000n) return putVarint(out, pos, Number(b));
  while (b > 127n) {
    out[pos++] = Number(b & 0x7fn) | 0x80;
    b >>= 7n;
  }
  out[pos++] = Number(b);
  return pos;
}

function putBytes(out: Uint8Array, pos: number, field: number, b: Uint8Array): number {
  out[pos++] = (field << 3) | 2;
  pos = putVarint(out, pos, b.length);
  out.set(b, pos);
  return pos + b.length;
}

/**
 * Stored form: Any(BaseAccount), encoded by hand into one exact-size buffer on the hot path
 * (byte-identical to cosmjs-types / Go: canonical field order, defaults omitted; tested).
 */
export function encodeAccount(a: Account): Uint8Array {
  if (a.module) return Any.encode(accountToAny(a)).finish();
  return encodeAccountScratch(a).slice();
}

/**
 * A BaseAccount's base for the scratch encoder: a fresh Uint8Array of more than 64 bytes lives
 * off the V8 heap (~1 µs to allocate plus GC bookkeeping, measured) and an encoded account is
 * ~110 bytes; the keeper only hands it to a store that copies values on set().
 */
let scratch = new Uint8Array(256);

/**
 * encodeAccount of a BaseAccount (no `module`) into a shared buffer: the returned view is valid
 * until the next call (callers must copy it or pass it to a store, which copies). `bech32`, when
 * given, must be toBech32(a.address).
 */
export function encodeAccountScratch(a: Account, bech32?: string): Uint8Array {
  const addr = bech32 ?? toBech32(a.address); // ASCII
  const addrLen = addr.length;
  // BaseAccount { 1: address, 2: Any{ 1: type, 2: PubKey{ 1: key } }, 3: account_number, 4: sequence }
  let inner = addrLen === 0 ? 0 : 1 + varintLength(addrLen) + addrLen;
  let pkInner = 0;
  let pkAny = 0;
  if (a.pubKey) {
    const k = a.pubKey.length;
    pkInner = k === 0 ? 0 : 1 + varintLength(k) + k;
    pkAny = 1 + varintLength(PUBKEY_TYPE_BYTES.length) + PUBKEY_TYPE_BYTES.length + (pkInner === 0 ? 0 : 1 + varintLength(pkInner) + pkInner);
    inner += 1 + varintLength(pkAny) + pkAny;
  }
  if (a.accountNumber !== 0n) inner += 1 + u64Length(a.accountNumber);
  if (a.sequence !== 0n) inner += 1 + u64Length(a.sequence);
  const typeLen = BASE_ACCOUNT_TYPE_BYTES.length;
  const total = 1 + varintLength(typeLen) + typeLen + (inner === 0 ? 0 : 1 + varintLength(inner) + inner);
  if (scratch.length < total) scratch = new Uint8Array(total * 2);
  const out = scratch;
  let pos = putBytes(out, 0, 1, BASE_ACCOUNT_TYPE_BYTES);
  if (inner !== 0) {
    out[pos++] = 0x12;
    pos = putVarint(out, pos, inner);
    if (addrLen !== 0) {
      out[pos++] = 0x0a;
      pos = putVarint(out, pos, addrLen);
      for (let i = 0; i < addrLen; i++) out[pos++] = addr.charCodeAt(i);
    }
    if (a.pubKey) {
      out[pos++] = 0x12;
      pos = putVarint(out, pos, pkAny);
      pos = putBytes(out, pos, 1, PUBKEY_TYPE_BYTES);
      if (pkInner !== 0) {
        out[pos++] = 0x12;
        pos = putVarint(out, pos, pkInner);
        pos = putBytes(out, pos, 1, a.pubKey);
      }
    }
    if (a.accountNumber !== 0n) {
      out[pos++] = 0x18;
      pos = putU64(out, pos, a.accountNumber);
    }
    if (a.sequence !== 0n) {
      out[pos++] = 0x20;
      pos = putU64(out, pos, a.sequence);
    }
  }
  return out.subarray(0, pos);
}

/** Reads a varint of at most 7 bytes (< 2^49) at `pos` of a latin1 string (one char per byte): [value, next pos], or undefined. */
function readVarintL(b: string, pos: number, end: number): [number, number] | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 7 && pos < end; i++) {
    const c = b.charCodeAt(pos++);
    v += (c & 0x7f) * mul;
    if (c < 0x80) return [v, pos];
    mul *= 128;
  }
  return undefined;
}

function charsAt(b: string, pos: number, ref: Uint8Array): boolean {
  for (let i = 0; i < ref.length; i++) if (b.charCodeAt(pos + i) !== ref[i]) return false;
  return true;
}

/**
 * Fast decode of exactly what encodeAccount writes for a BaseAccount (canonical field order,
 * each field once, short varints) when the address is known, over the stored value as a latin1
 * string (GasKVStore.getLatin1Value: no Buffer for the value); undefined for anything else, which
 * then takes the generic cosmjs-types path (same result for every input this accepts). The public
 * key is copied out into its own 33-byte array. Test: modules/auth/account.test.ts.
 */
function decodeBaseAccountFastLatin1(bytes: string, addr: Uint8Array): Account | undefined {
  const n = bytes.length;
  const tl = BASE_ACCOUNT_TYPE_BYTES.length;
  if (n < 2 + tl || bytes.charCodeAt(0) !== 0x0a || bytes.charCodeAt(1) !== tl || !charsAt(bytes, 2, BASE_ACCOUNT_TYPE_BYTES)) return undefined;
  let pos = 2 + tl;
  if (pos === n) return undefined;
  if (bytes.charCodeAt(pos++) !== 0x12) return undefined;
  const l = readVarintL(bytes, pos, n);
  if (!l || l[1] + l[0] !== n) return undefined;
  pos = l[1];
  let pubKey: Uint8Array | undefined;
  let accountNumber = 0n;
  let sequence = 0n;
  let last = 0;
  while (pos < n) {
    const tag = bytes.charCodeAt(pos++);
    const field = tag >> 3;
    if (field <= last || tag >= 0x80) return undefined;
    last = field;
    if (tag === 0x0a) {
      const s = readVarintL(bytes, pos, n);
      if (!s || s[1] + s[0] > n) return undefined;
      pos = s[1] + s[0];
    } else if (tag === 0x12) {
      const s = readVarintL(bytes, pos, n);
      if (!s) return undefined;
      const anyEnd = s[1] + s[0];
      if (anyEnd > n) return undefined;
      let p = s[1];
      const ptl = PUBKEY_TYPE_BYTES.length;
      if (bytes.charCodeAt(p) !== 0x0a || bytes.charCodeAt(p + 1) !== ptl || p + 2 + ptl > anyEnd || !charsAt(bytes, p + 2, PUBKEY_TYPE_BYTES)) return undefined;
      p += 2 + ptl;
      if (p >= anyEnd || bytes.charCodeAt(p++) !== 0x12) return undefined;
      const vl = readVarintL(bytes, p, anyEnd);
      if (!vl || vl[1] + vl[0] !== anyEnd) return undefined;
      p = vl[1];
      if (p >= anyEnd || bytes.charCodeAt(p++) !== 0x0a) return undefined;
      const kl = readVarintL(bytes, p, anyEnd);
      if (!kl || kl[1] + kl[0] !== anyEnd) return undefined;
      pubKey = new Uint8Array(anyEnd - kl[1]);
      for (let i = kl[1]; i < anyEnd; i++) pubKey[i - kl[1]] = bytes.charCodeAt(i);
      pos = anyEnd;
    } else if (tag === 0x18 || tag === 0x20) {
      const v = readVarintL(bytes, pos, n);
      if (!v) return undefined;
      pos = v[1];
      if (tag === 0x18) accountNumber = BigInt(v[0]);
      else sequence = BigInt(v[0]);
    } else {
      return undefined;
    }
  }
  if (pos !== n) return undefined;
  return { address: addr, pubKey, accountNumber, sequence, module: undefined };
}

/** decodeAccount of a value held as a latin1 string (one char per byte); same result. */
export function decodeAccountLatin1(value: string, addr: Uint8Array): Account {
  return decodeBaseAccountFastLatin1(value, addr) ?? decodeAccountGeneric(Buffer.from(value, "latin1"), addr);
}

function fromBase(b: BaseAccount, module?: Account["module"], addr?: Uint8Array): Account {
  let pubKey: Uint8Array | undefined;
  if (b.pubKey && b.pubKey.typeUrl === SECP256K1_PUBKEY_TYPE) pubKey = Secp256k1PubKey.decode(b.pubKey.value).key;
  return { address: addr ?? fromBech32(b.address), pubKey, accountNumber: b.accountNumber, sequence: b.sequence, module };
}

/** Decodes stored account bytes (our own writes: trusted layout). `addr`, when known from the key, skips a bech32 decode. */
export function decodeAccount(bytes: Uint8Array, addr?: Uint8Array): Account {
  if (addr) {
    const fast = decodeBaseAccountFastLatin1(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1"), addr);
    if (fast) return fast;
  }
  return decodeAccountGeneric(bytes, addr);
}

function decodeAccountGeneric(bytes: Uint8Array, addr?: Uint8Array): Account {
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
