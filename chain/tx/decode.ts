/**
 * Strict decoding of cosmos.tx.v1beta1 transactions (DESIGN.md §3, §7):
 * TxRaw → TxBody + AuthInfo, each walked by the strict checker (wire.ts) before cosmjs-types
 * decodes it. TxRaw must also be ADR-027 canonical (fields in order, no duplicate body/auth_info,
 * minimal varints), so a tx's hash cannot be changed without changing its signed content.
 *
 * Decoding is stateless; everything that needs state (accounts, fees, signatures) is the ante
 * pipeline's job (ante.ts).
 */
import { AuthInfo, Fee, ModeInfo, SignerInfo, TxBody } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { sdkErrors } from "../app/errors";
import type { MsgHandler } from "../app/types";
import { sha256 } from "../crypto/hash";
import { fastDecodeTx } from "./fastdecode";
import type { TxLimits } from "./limits";
import {
  AnySchema,
  CoinSchema,
  TimestampSchema,
  WT_LEN,
  checkMessage,
  type AnyResolver,
  type MessageSchema,
} from "./wire";

export const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";

export const Secp256k1PubKeySchema: MessageSchema = {
  name: "cosmos.crypto.secp256k1.PubKey",
  fields: { 1: { name: "key", kind: "bytes" } },
};

const CompactBitArraySchema: MessageSchema = {
  name: "cosmos.crypto.multisig.v1beta1.CompactBitArray",
  fields: { 1: { name: "extra_bits_stored", kind: "varint" }, 2: { name: "elems", kind: "bytes" } },
};

export const ModeInfoSchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.ModeInfo",
  fields: {
    1: { name: "single", kind: "message", msg: { name: "cosmos.tx.v1beta1.ModeInfo.Single", fields: { 1: { name: "mode", kind: "varint" } } } },
    2: {
      name: "multi",
      kind: "message",
      msg: () => ({
        name: "cosmos.tx.v1beta1.ModeInfo.Multi",
        fields: {
          1: { name: "bitarray", kind: "message", msg: CompactBitArraySchema },
          2: { name: "mode_infos", kind: "message", repeated: true, msg: ModeInfoSchema },
        },
      }),
    },
  },
};

export const SignerInfoSchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.SignerInfo",
  fields: {
    1: { name: "public_key", kind: "any" },
    2: { name: "mode_info", kind: "message", msg: ModeInfoSchema },
    3: { name: "sequence", kind: "varint" },
  },
};

export const FeeSchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.Fee",
  fields: {
    1: { name: "amount", kind: "message", repeated: true, msg: CoinSchema },
    2: { name: "gas_limit", kind: "varint" },
    3: { name: "payer", kind: "string" },
    4: { name: "granter", kind: "string" },
  },
};

const TipSchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.Tip",
  fields: { 1: { name: "amount", kind: "message", repeated: true, msg: CoinSchema }, 2: { name: "tipper", kind: "string" } },
};

export const AuthInfoSchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.AuthInfo",
  fields: {
    1: { name: "signer_infos", kind: "message", repeated: true, msg: SignerInfoSchema },
    2: { name: "fee", kind: "message", msg: FeeSchema },
    3: { name: "tip", kind: "message", msg: TipSchema },
  },
};

export const TxBodySchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.TxBody",
  allowNonCritical: true,
  fields: {
    // Message contents are checked strictly by each message's handler.decode.
    1: { name: "messages", kind: "message", repeated: true, msg: AnySchema },
    2: { name: "memo", kind: "string" },
    3: { name: "timeout_height", kind: "varint" },
    4: { name: "unordered", kind: "varint" },
    5: { name: "timeout_timestamp", kind: "message", msg: TimestampSchema },
    1023: { name: "extension_options", kind: "message", repeated: true, msg: AnySchema },
    2047: { name: "non_critical_extension_options", kind: "message", repeated: true, msg: AnySchema },
  },
};

export const TxRawSchema: MessageSchema = {
  name: "cosmos.tx.v1beta1.TxRaw",
  fields: {
    1: { name: "body_bytes", kind: "bytes" },
    2: { name: "auth_info_bytes", kind: "bytes" },
    3: { name: "signatures", kind: "bytes", repeated: true },
  },
};

/** Public keys accepted in SignerInfo (accounts are secp256k1; multisig/ed25519 not yet supported). */
const pubkeyResolver: AnyResolver = (typeUrl) => (typeUrl === SECP256K1_PUBKEY_TYPE ? Secp256k1PubKeySchema : undefined);

export interface DecodedMsg {
  readonly typeUrl: string;
  readonly handler: MsgHandler<unknown>;
  readonly msg: unknown;
}

export interface DecodedTx {
  readonly bytes: Uint8Array;
  /** sha256(bytes): CometBFT's tx hash. */
  readonly hash: Uint8Array;
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly signatures: readonly Uint8Array[];
  readonly body: TxBody;
  readonly authInfo: AuthInfo;
  readonly fee: Fee;
  readonly msgs: readonly DecodedMsg[];
  /** Per signer info: the secp256k1 key bytes if the tx carries one. */
  readonly pubkeys: readonly (Uint8Array | undefined)[];
}

/** Resolves a message type URL to its handler (the app's message router). */
export type MsgLookup = (typeUrl: string) => MsgHandler<unknown> | undefined;

/**
 * Decodes a TxRaw (or a wire-identical `Tx`, as CosmJS's Simulate sends) strictly.
 * `knownHash`, when given, must be sha256(bytes).
 * Throws ChainError (sdk TxDecode / TxTooLarge / UnknownRequest / ...) on any violation.
 */
export function decodeTx(bytes: Uint8Array, lookup: MsgLookup, limits: TxLimits, knownHash?: Uint8Array): DecodedTx {
  // The common shape in one pass (fastdecode.ts: a subset of what this function accepts, same result).
  const fast = fastDecodeTx(bytes, lookup, limits, knownHash);
  if (fast !== undefined) return fast;
  return decodeTxGeneric(bytes, lookup, limits, knownHash);
}

/** decodeTx without the fast path: the reference every input goes through when the fast path declines it. */
export function decodeTxGeneric(bytes: Uint8Array, lookup: MsgLookup, limits: TxLimits, knownHash?: Uint8Array): DecodedTx {
  if (bytes.length === 0) throw sdkErrors.TxDecode.wrap("empty tx");
  if (bytes.length > limits.maxTxBytes) {
    throw sdkErrors.TxTooLarge.wrap(`tx is ${bytes.length} bytes; the limit is ${limits.maxTxBytes} bytes`);
  }

  // TxRaw: strict + ADR-027 canonical form.
  let bodyBytes: Uint8Array | undefined;
  let authInfoBytes: Uint8Array | undefined;
  const signatures: Uint8Array[] = [];
  let last = 0;
  checkMessage(bytes, TxRawSchema, undefined, TxRawSchema.name, 0, (f) => {
    if (!f.minimal) throw sdkErrors.TxDecode.wrap(`cosmos.tx.v1beta1.TxRaw: field ${f.num} is not minimally encoded (ADR-027)`);
    if (f.num < last || (f.num === last && f.num !== 3)) {
      throw sdkErrors.TxDecode.wrap(`cosmos.tx.v1beta1.TxRaw: fields must appear once each in ascending order (ADR-027), saw ${f.num} after ${last}`);
    }
    last = f.num;
    if (f.wt !== WT_LEN) return; // reported by the walker
    const v = bytes.subarray(f.valueStart, f.valueEnd);
    if (f.num === 1) bodyBytes = v;
    else if (f.num === 2) authInfoBytes = v;
    else if (f.num === 3) signatures.push(v);
  });
  if (!bodyBytes) throw sdkErrors.TxDecode.wrap("tx has no body");
  if (!authInfoBytes) throw sdkErrors.TxDecode.wrap("tx has no auth_info");

  checkMessage(bodyBytes, TxBodySchema);
  checkMessage(authInfoBytes, AuthInfoSchema, pubkeyResolver);
  let body: TxBody;
  let authInfo: AuthInfo;
  try {
    body = TxBody.decode(bodyBytes);
    authInfo = AuthInfo.decode(authInfoBytes);
  } catch (e) {
    throw sdkErrors.TxDecode.wrap((e as Error).message);
  }

  if (body.extensionOptions.length > 0) {
    throw sdkErrors.UnknownExtensionOptions.wrap(`extension option "${body.extensionOptions[0].typeUrl.slice(0, 128)}" is not supported`);
  }
  if (body.unordered) throw sdkErrors.NotSupported.wrap("unordered transactions are not supported; send with a sequence");
  if (body.timeoutTimestamp !== undefined) throw sdkErrors.NotSupported.wrap("timeout_timestamp is not supported; use timeout_height");
  if (authInfo.tip !== undefined) throw sdkErrors.NotSupported.wrap("tips are not supported");
  const fee = authInfo.fee;
  if (!fee) throw sdkErrors.TxDecode.wrap("tx has no fee (auth_info.fee is required, it may be empty)");

  if (body.messages.length === 0) throw sdkErrors.InvalidRequest.wrap("tx must contain at least one message");
  if (body.messages.length > limits.maxMsgsPerTx) {
    throw sdkErrors.InvalidRequest.wrap(`tx has ${body.messages.length} messages; at most ${limits.maxMsgsPerTx} are allowed per tx`);
  }
  const msgs: DecodedMsg[] = [];
  for (let i = 0; i < body.messages.length; i++) {
    const any = body.messages[i];
    const handler = lookup(any.typeUrl);
    if (!handler) {
      throw sdkErrors.TxDecode.wrap(`message ${i}: unable to resolve type URL "${any.typeUrl.slice(0, 128)}": this chain has no handler for it`);
    }
    const msg = handler.decode(any.value);
    msgs.push({ typeUrl: any.typeUrl, handler, msg });
  }

  const pubkeys: (Uint8Array | undefined)[] = [];
  for (const si of authInfo.signerInfos) {
    if (si.publicKey === undefined) {
      pubkeys.push(undefined);
      continue;
    }
    // The resolver already accepted only secp256k1 keys.
    pubkeys.push(Secp256k1PubKey.decode(si.publicKey.value).key);
  }

  return {
    bytes,
    hash: knownHash ?? sha256(bytes), // the caller may have hashed the bytes already (decode cache key)
    bodyBytes,
    authInfoBytes,
    signatures,
    body,
    authInfo,
    fee,
    msgs,
    pubkeys,
  };
}

export { ModeInfo, SignerInfo };
