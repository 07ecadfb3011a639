/**
 * SIGN_MODE_DIRECT sign bytes: SignDoc{body_bytes, auth_info_bytes, chain_id, account_number},
 * canonically encoded, with the body/auth_info bytes exactly as they appear in the TxRaw.
 */
import { sha256 } from "../crypto/hash";
import { encodeSignDoc, signDocScratch } from "./pb";

export const SIGN_MODE_UNSPECIFIED = 0;
export const SIGN_MODE_DIRECT = 1;
export const SIGN_MODE_LEGACY_AMINO_JSON = 127;

export function directSignBytes(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, chainId: string, accountNumber: bigint): Uint8Array {
  return encodeSignDoc(bodyBytes, authInfoBytes, chainId, accountNumber);
}

/** The 32-byte digest that secp256k1 signs: sha256(SignDoc bytes) (encoded into a reused buffer: only hashed). */
export function directSignDigest(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, chainId: string, accountNumber: bigint): Uint8Array {
  return sha256(signDocScratch(bodyBytes, authInfoBytes, chainId, accountNumber));
}
