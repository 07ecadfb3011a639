/**
 * cosmos.base.query.v1beta1 pagination over a store prefix, like the SDK's query.Paginate:
 * key-based (next_key) or offset-based, limit defaulting to 100 and capped at 1,000 so a query's
 * work is bounded. `count_total` counts the whole prefix (offset mode only, as the SDK).
 */
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { sdkErrors } from "../app/errors";
import type { KVRead } from "../store/types";

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The smallest key greater than every key with `prefix` (undefined = no upper bound). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/**
 * Iterates `prefix` in `store` per `page`, calling `onItem(keyWithoutPrefix, value)` for each item
 * on the page. `onItem` may return false to skip an item without counting it (filtering).
 */
export function paginate(
  store: KVRead,
  prefix: Uint8Array,
  page: PageRequest | undefined,
  onItem: (key: Uint8Array, value: Uint8Array) => boolean | void,
): PageResponse {
  const limit = page && page.limit > 0n ? page.limit : DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT) throw sdkErrors.InvalidRequest.wrap(`pagination.limit ${limit} exceeds the maximum ${MAX_PAGE_LIMIT}`);
  const reverse = page?.reverse ?? false;
  const key = page?.key ?? new Uint8Array(0);
  const offset = page?.offset ?? 0n;
  if (key.length > 0 && offset > 0n) throw sdkErrors.InvalidRequest.wrap("pagination: set either key or offset, not both");
  const countTotal = (page?.countTotal ?? false) && key.length === 0;

  let start: Uint8Array | undefined = prefix;
  let end: Uint8Array | undefined = prefixEnd(prefix);
  if (key.length > 0) {
    if (reverse) end = concat(concat(prefix, key), new Uint8Array([0])); // inclusive of `key`
    else start = concat(prefix, key);
  }
  let skipped = 0n;
  let taken = 0n;
  let total = 0n;
  let nextKey: Uint8Array = new Uint8Array(0);
  for (const [k, v] of store.iterator(start, end, reverse)) {
    const rel = k.subarray(prefix.length);
    if (taken === limit) {
      if (nextKey.length === 0) nextKey = Uint8Array.from(rel);
      if (!countTotal) break;
      total++;
      continue;
    }
    if (skipped < offset) {
      skipped++;
      total++;
      continue;
    }
    if (onItem(rel, v) === false) continue;
    taken++;
    total++;
  }
  return { nextKey, total: countTotal ? total : 0n };
}
