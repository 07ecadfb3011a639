/**
 * Typed errors with a stable (codespace, code), like cosmossdk.io/errors.
 *
 * Every failure a user can cause is a ChainError; the ABCI layer turns it into
 * `code`/`codespace`/`log`. Anything else thrown inside a tx is reported as an internal error
 * (codespace "sdk", code 1) and never escapes to CometBFT.
 */

export class ChainError extends Error {
  constructor(
    readonly codespace: string,
    readonly code: number,
    readonly description: string,
    detail?: string,
  ) {
    super(detail ? `${detail}: ${description}` : description);
    this.name = "ChainError";
  }
}

export interface ErrorDef {
  readonly codespace: string;
  readonly code: number;
  readonly description: string;
  /** A ChainError with this code whose message is "<detail>: <description>", like errors.Wrap. */
  wrap(detail?: string): ChainError;
  /** True when `err` carries this (codespace, code). */
  is(err: unknown): boolean;
}

const registry = new Map<string, ErrorDef>();

/** Registers an error; a duplicate (codespace, code) is a programming error and throws at load time. */
export function registerError(codespace: string, code: number, description: string): ErrorDef {
  if (!Number.isInteger(code) || code <= 1) throw new Error(`error code must be an integer > 1 (1 is reserved): ${codespace}/${code}`);
  const id = `${codespace}/${code}`;
  if (registry.has(id)) throw new Error(`error ${id} registered twice`);
  const def: ErrorDef = {
    codespace,
    code,
    description,
    wrap: (detail?: string) => new ChainError(codespace, code, description, detail),
    is: (err: unknown) => err instanceof ChainError && err.codespace === codespace && err.code === code,
  };
  registry.set(id, def);
  return def;
}

/** All registered errors, sorted by (codespace, code): the docs and the uniqueness test use it. */
export function registeredErrors(): ErrorDef[] {
  return [...registry.values()].sort((a, b) =>
    a.codespace === b.codespace ? a.code - b.code : a.codespace < b.codespace ? -1 : 1,
  );
}

/** Maps any thrown value to (codespace, code, log) for an ABCI response. */
export function toAbciError(err: unknown): { codespace: string; code: number; log: string } {
  if (err instanceof ChainError) return { codespace: err.codespace, code: err.code, log: err.message };
  const msg = err instanceof Error ? err.message : String(err);
  return { codespace: "sdk", code: 1, log: `internal error: ${msg}` };
}

/** The Cosmos SDK's root errors (types/errors/errors.go), same codes so clients recognise them. */
export const sdkErrors = {
  TxDecode: registerError("sdk", 2, "tx parse error"),
  InvalidSequence: registerError("sdk", 3, "invalid sequence"),
  Unauthorized: registerError("sdk", 4, "unauthorized"),
  InsufficientFunds: registerError("sdk", 5, "insufficient funds"),
  UnknownRequest: registerError("sdk", 6, "unknown request"),
  InvalidAddress: registerError("sdk", 7, "invalid address"),
  InvalidPubKey: registerError("sdk", 8, "invalid pubkey"),
  UnknownAddress: registerError("sdk", 9, "unknown address"),
  InvalidCoins: registerError("sdk", 10, "invalid coins"),
  OutOfGas: registerError("sdk", 11, "out of gas"),
  MemoTooLarge: registerError("sdk", 12, "memo too large"),
  InsufficientFee: registerError("sdk", 13, "insufficient fee"),
  TooManySignatures: registerError("sdk", 14, "maximum number of signatures exceeded"),
  NoSignatures: registerError("sdk", 15, "no signatures supplied"),
  InvalidRequest: registerError("sdk", 18, "invalid request"),
  TxTooLarge: registerError("sdk", 21, "tx too large"),
  KeyNotFound: registerError("sdk", 22, "key not found"),
  InvalidSigner: registerError("sdk", 24, "tx intended signer does not match the given signer"),
  InvalidHeight: registerError("sdk", 26, "invalid height"),
  InvalidChainID: registerError("sdk", 28, "invalid chain-id"),
  InvalidType: registerError("sdk", 29, "invalid type"),
  TxTimeoutHeight: registerError("sdk", 30, "tx timeout height"),
  UnknownExtensionOptions: registerError("sdk", 31, "unknown extension options"),
  WrongSequence: registerError("sdk", 32, "incorrect account sequence"),
  Logic: registerError("sdk", 35, "internal logic error"),
  NotSupported: registerError("sdk", 37, "feature not supported"),
  NotFound: registerError("sdk", 38, "not found"),
  InvalidGasLimit: registerError("sdk", 41, "invalid gas limit"),
} as const;
