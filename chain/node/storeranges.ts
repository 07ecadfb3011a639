/**
 * Key ranges the node keeps whole in its store's latest-value cache
 * (InternalStoreOptions.completePrefixes, chain/store/README.md "Round 8"): small ranges read
 * mostly for keys that are absent. Only a cache: values and gas are the same without it.
 */
import * as authKeys from "../../modules/auth/keys";

/**
 * The auth store's module-account markers (0x05 | len | addr): bank reads one for every MsgSend
 * recipient (the blocked-recipient check) and nearly all are absent; a chain has a handful.
 */
const RANGES: Readonly<Record<string, readonly Uint8Array[]>> = {
  [authKeys.STORE_NAME]: [authKeys.MODULE_MARKER_PREFIX],
};

/** The complete ranges of the mounted stores among `storeNames`. */
export function completePrefixesFor(storeNames: readonly string[]): Record<string, readonly Uint8Array[]> {
  return Object.fromEntries(Object.entries(RANGES).filter(([n]) => storeNames.includes(n)));
}
