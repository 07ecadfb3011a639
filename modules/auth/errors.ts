/** auth's own errors (codespace "auth"); most auth failures use the SDK root errors (sdkErrors). */
import { registerError } from "../../chain/app/errors";

export const authErrors = {
  AccountExists: registerError("auth", 2, "account already exists"),
  InvalidParams: registerError("auth", 3, "invalid auth params"),
  InvalidGenesis: registerError("auth", 4, "invalid auth genesis"),
  NotSupportedSignMode: registerError("auth", 5, "sign mode not supported"),
  PubKeyMismatch: registerError("auth", 6, "public key does not match the signer address"),
  SignatureVerification: registerError("auth", 7, "signature verification failed"),
} as const;
