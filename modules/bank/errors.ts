/** bank errors, with the SDK's x/bank codes where they exist. */
import { registerError } from "../../chain/app/errors";

export const bankErrors = {
  NoInputs: registerError("bank", 2, "no inputs to send transaction"),
  NoOutputs: registerError("bank", 3, "no outputs to send transaction"),
  InputOutputMismatch: registerError("bank", 4, "sum inputs != sum outputs"),
  SendDisabled: registerError("bank", 5, "send transactions are disabled"),
  DenomMetadataNotFound: registerError("bank", 6, "client denom metadata not found"),
  InvalidKey: registerError("bank", 7, "invalid key"),
  DuplicateEntry: registerError("bank", 8, "duplicate entry"),
  MultipleSenders: registerError("bank", 9, "multiple senders not allowed"),
  InvalidGenesis: registerError("bank", 10, "invalid bank genesis"),
  BlockedRecipient: registerError("bank", 11, "recipient is a module account and cannot receive plain sends"),
  SupplyOverflow: registerError("bank", 12, "total supply overflow"),
} as const;
