/**
 * The fast path of decodeTx (decode.ts) for the shape nearly every tx has: one pass over the
 * bytes that checks and decodes at once, where the generic path walks each message strictly
 * (wire.ts) and then decodes it again with cosmjs-types (~20 µs per fresh tx, once per CheckTx).
 *
 * It accepts only a strict subset of what the generic path accepts, and builds the very same
 * objects (same fields, same values) from it:
 *   - every tag and length is a minimal one-byte/short varint, fields appear in ascending order,
 *     each non-repeated field at most once (repeated ones back to back);
 *   - TxRaw = body, auth_info, signatures; TxBody = messages, memo, timeout_height only;
 *     AuthInfo = signer_infos, fee (required); SignerInfo = secp256k1 public key (or none),
 *     mode_info.single, sequence; Fee = amount, gas_limit, payer, granter;
 *   - strings are ASCII, 64-bit integers below 2^49, the sign mode one byte;
 *   - at least one and at most limits.maxMsgsPerTx messages, every type URL routed.
 * Anything else — including every invalid tx — returns undefined and decodeTx takes the generic
 * path, which produces the canonical result or error. It never throws (a message handler's own
 * strict decode that throws also means undefined). Test: chain/tx/fastdecode.test.ts (every
 * fast result equals the generic one, over valid txs and byte mutations of them).
 */
import type { AuthInfo, Fee, SignerInfo, TxBody } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import type { TxLimits } from "./limits";
import type { DecodedMsg, DecodedTx, MsgLookup } from "./decode";
import { sha256 } from "../crypto/hash";

const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";
/** Not a valid parse: unwinds to the generic path. */
const NO = -1;

// Reader state (module-level: no object per field; the decoder is synchronous and not re-entrant).
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;

/** A minimal varint below 2^49 at `pos` (advances), or NO. */
function varint(end: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= end) return NO;
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return b === 0 && i > 0 ? NO : result; // a trailing 0x00 byte is not minimal
    mul *= 128;
  }
  return NO;
}

/** The end of the length-delimited value starting at `pos` (after its length; advances to the value), or NO. */
function lenEnd(end: number): number {
  const len = varint(end);
  if (len < 0 || pos + len > end) return NO;
  return pos + len;
}

/**
 * A plain Uint8Array view of [start, stop): cosmjs-types' reader copies its input into a
 * Uint8Array, so the values it decodes (message and key bytes) are never Buffers even when the tx
 * is one; a view keeps that type without the copy (tx bytes are never mutated).
 */
function view(start: number, stop: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, stop - start);
}

/** ASCII string in [start, stop), or undefined. */
function ascii(start: number, stop: number): string | undefined {
  for (let i = start; i < stop; i++) if (buf[i] > 0x7f) return undefined;
  return String.fromCharCode.apply(null, buf.subarray(start, stop) as unknown as number[]);
}

/** Decodes `bytes` when it has the common shape (see the header), else undefined. Never throws. */
export function fastDecodeTx(bytes: Uint8Array, lookup: MsgLookup, limits: TxLimits, knownHash?: Uint8Array): DecodedTx | undefined {
  if (bytes.length === 0 || bytes.length > limits.maxTxBytes) return undefined;
  buf = bytes;
  pos = 0;
  try {
    return parse(bytes, lookup, limits, knownHash);
  } catch {
    return undefined; // a handler's decode rejected its message: the generic path reports it
  } finally {
    buf = EMPTY;
  }
}
const EMPTY = new Uint8Array(0);

function parse(bytes: Uint8Array, lookup: MsgLookup, limits: TxLimits, knownHash: Uint8Array | undefined): DecodedTx | undefined {
  const n = bytes.length;
  // TxRaw: 1 body, 2 auth_info, then 3 signatures (ADR-027 order; the generic path requires it too).
  if (bytes[pos++] !== 0x0a) return undefined;
  let e = lenEnd(n);
  if (e < 0) return undefined;
  const bodyStart = pos;
  const bodyEnd = e;
  pos = e;
  if (pos >= n || bytes[pos++] !== 0x12) return undefined;
  e = lenEnd(n);
  if (e < 0) return undefined;
  const authStart = pos;
  const authEnd = e;
  pos = e;
  const signatures: Uint8Array[] = [];
  while (pos < n) {
    if (bytes[pos++] !== 0x1a) return undefined;
    e = lenEnd(n);
    if (e < 0) return undefined;
    signatures.push(bytes.subarray(pos, e));
    pos = e;
  }

  pos = bodyStart;
  const body = parseBody(bodyEnd);
  if (body === undefined) return undefined;
  if (body.messages.length === 0 || body.messages.length > limits.maxMsgsPerTx) return undefined;
  pos = authStart;
  const authInfo = parseAuthInfo(authEnd);
  if (authInfo === undefined || authInfo.fee === undefined) return undefined;

  const msgs: DecodedMsg[] = [];
  for (let i = 0; i < body.messages.length; i++) {
    const any = body.messages[i];
    const handler = lookup(any.typeUrl);
    if (!handler) return undefined;
    msgs.push({ typeUrl: any.typeUrl, handler, msg: handler.decode(any.value) });
  }
  const pubkeys: (Uint8Array | undefined)[] = [];
  for (const si of authInfo.signerInfos) pubkeys.push(si.publicKey === undefined ? undefined : si.publicKey.value.subarray(2)); // a view of a view: Uint8Array

  return {
    bytes,
    hash: knownHash ?? sha256(bytes),
    bodyBytes: bytes.subarray(bodyStart, bodyEnd),
    authInfoBytes: bytes.subarray(authStart, authEnd),
    signatures,
    body,
    authInfo,
    fee: authInfo.fee,
    msgs,
    pubkeys,
  };
}

/** Field number of the one-byte tag at `pos` if its wire type is `wt` and it is not before `last`; else NO. */
function tag(end: number, last: number, wt: number): number {
  if (pos >= end) return NO;
  const t = buf[pos];
  if (t >= 0x80 || (t & 7) !== wt) return NO;
  const num = t >> 3;
  if (num < last) return NO;
  pos++;
  return num;
}

function parseBody(end: number): TxBody | undefined {
  const messages: Any[] = [];
  let memo = "";
  let timeoutHeight = 0;
  let last = 1;
  while (pos < end) {
    const t = buf[pos];
    if (t === 0x0a && last === 1) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      const any = parseAny(e);
      if (any === undefined) return undefined;
      messages.push(any);
      continue;
    }
    if (t === 0x12 && last < 2) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      const s = ascii(pos, e);
      if (s === undefined) return undefined;
      memo = s;
      pos = e;
      last = 2;
      continue;
    }
    if (t === 0x18 && last < 3) {
      pos++;
      timeoutHeight = varint(end);
      if (timeoutHeight < 0) return undefined;
      last = 3;
      continue;
    }
    return undefined;
  }
  return {
    messages,
    memo,
    timeoutHeight: BigInt(timeoutHeight),
    unordered: false,
    timeoutTimestamp: undefined,
    extensionOptions: [],
    nonCriticalExtensionOptions: [],
  };
}

/** google.protobuf.Any = type_url (ASCII), value; both present, in order. */
function parseAny(end: number): Any | undefined {
  if (tag(end, 1, 2) !== 1) return undefined;
  let e = lenEnd(end);
  if (e < 0) return undefined;
  const typeUrl = ascii(pos, e);
  if (typeUrl === undefined) return undefined;
  pos = e;
  if (tag(end, 2, 2) !== 2) return undefined;
  e = lenEnd(end);
  if (e !== end) return undefined;
  const value = view(pos, e);
  pos = e;
  return { typeUrl, value };
}

function parseAuthInfo(end: number): AuthInfo | undefined {
  const signerInfos: SignerInfo[] = [];
  let fee: Fee | undefined;
  while (pos < end) {
    const t = buf[pos];
    if (t === 0x0a && fee === undefined) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      const si = parseSignerInfo(e);
      if (si === undefined) return undefined;
      signerInfos.push(si);
      continue;
    }
    if (t === 0x12 && fee === undefined) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      fee = parseFee(e);
      if (fee === undefined) return undefined;
      continue;
    }
    return undefined;
  }
  return { signerInfos, fee, tip: undefined };
}

function parseSignerInfo(end: number): SignerInfo | undefined {
  let publicKey: Any | undefined;
  let modeInfo: SignerInfo["modeInfo"];
  let sequence = 0;
  let last = 1;
  while (pos < end) {
    const t = buf[pos];
    if (t === 0x0a && last === 1) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      publicKey = parseAny(e);
      if (publicKey === undefined || publicKey.typeUrl !== SECP256K1_PUBKEY_TYPE) return undefined;
      // cosmos.crypto.secp256k1.PubKey = exactly one `key` field (tag 0x0a, one-byte length): the key is value[2..].
      const v = publicKey.value;
      if (v.length < 2 || v[0] !== 0x0a || v[1] !== v.length - 2 || v[1] >= 0x80) return undefined;
      last = 2;
      continue;
    }
    if (t === 0x12 && last <= 2) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      // ModeInfo = single { mode } only.
      if (tag(e, 1, 2) !== 1) return undefined;
      const se = lenEnd(e);
      if (se !== e) return undefined;
      let mode = 0;
      if (pos < se) {
        if (buf[pos++] !== 0x08 || pos >= se) return undefined;
        mode = buf[pos++];
        if (mode >= 0x80 || pos !== se) return undefined;
      }
      modeInfo = { single: { mode }, multi: undefined };
      last = 3;
      continue;
    }
    if (t === 0x18 && last <= 3) {
      pos++;
      sequence = varint(end);
      if (sequence < 0) return undefined;
      last = 4;
      continue;
    }
    return undefined;
  }
  return { publicKey, modeInfo, sequence: BigInt(sequence) };
}

function parseFee(end: number): Fee | undefined {
  const amount: Coin[] = [];
  let gasLimit = 0;
  let payer = "";
  let granter = "";
  let last = 1;
  while (pos < end) {
    const t = buf[pos];
    if (t === 0x0a && last === 1) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      const c = parseCoin(e);
      if (c === undefined) return undefined;
      amount.push(c);
      continue;
    }
    if (t === 0x10 && last < 2) {
      pos++;
      gasLimit = varint(end);
      if (gasLimit < 0) return undefined;
      last = 2;
      continue;
    }
    if ((t === 0x1a && last < 3) || (t === 0x22 && last < 4)) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      const s = ascii(pos, e);
      if (s === undefined) return undefined;
      pos = e;
      if (t === 0x1a) {
        payer = s;
        last = 3;
      } else {
        granter = s;
        last = 4;
      }
      continue;
    }
    return undefined;
  }
  return { amount, gasLimit: BigInt(gasLimit), payer, granter };
}

/** cosmos.base.v1beta1.Coin = denom, amount (ASCII; each optional, in order). */
function parseCoin(end: number): Coin | undefined {
  let denom = "";
  let amount = "";
  let last = 1;
  while (pos < end) {
    const t = buf[pos];
    if ((t === 0x0a && last === 1) || (t === 0x12 && last < 3)) {
      pos++;
      const e = lenEnd(end);
      if (e < 0) return undefined;
      const s = ascii(pos, e);
      if (s === undefined) return undefined;
      pos = e;
      if (t === 0x0a) {
        denom = s;
        last = 2;
      } else {
        amount = s;
        last = 3;
      }
      continue;
    }
    return undefined;
  }
  return { denom, amount };
}
