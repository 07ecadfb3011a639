/** Key-by-key comparison of every mounted store of two multistores (SDK DiffKVStores). */
import { compareBytes, toHex } from "../../chain/crypto/hash";
import type { CommitMultiStore, KVPair } from "../../chain/store/types";

export interface StoreDiff {
  readonly store: string;
  readonly key: string;
  readonly a?: string;
  readonly b?: string;
}

/**
 * Every key present in only one side or with different values, per store, reading committed +
 * pending state through the public store API. `skip(store, key)` excludes documented keys.
 */
export function diffStores(a: CommitMultiStore, b: CommitMultiStore, skip: (store: string, key: Uint8Array) => boolean = () => false): StoreDiff[] {
  const names = [...new Set([...a.storeNames, ...b.storeNames])].sort();
  const out: StoreDiff[] = [];
  for (const name of names) {
    if (!a.storeNames.includes(name) || !b.storeNames.includes(name)) {
      out.push({ store: name, key: "*", a: a.storeNames.includes(name) ? "mounted" : undefined, b: b.storeNames.includes(name) ? "mounted" : undefined });
      continue;
    }
    const ia = a.getStore(name).iterator();
    const ib = b.getStore(name).iterator();
    let x = next(ia);
    let y = next(ib);
    while (x || y) {
      const c = !x ? 1 : !y ? -1 : compareBytes(x[0], y[0]);
      if (c < 0) {
        if (!skip(name, x![0])) out.push({ store: name, key: toHex(x![0]), a: toHex(x![1]) });
        x = next(ia);
      } else if (c > 0) {
        if (!skip(name, y![0])) out.push({ store: name, key: toHex(y![0]), b: toHex(y![1]) });
        y = next(ib);
      } else {
        if (compareBytes(x![1], y![1]) !== 0 && !skip(name, x![0])) out.push({ store: name, key: toHex(x![0]), a: toHex(x![1]), b: toHex(y![1]) });
        x = next(ia);
        y = next(ib);
      }
    }
  }
  return out;
}

function next(it: IterableIterator<KVPair>): KVPair | undefined {
  const r = it.next();
  return r.done ? undefined : r.value;
}

/** Number of keys per store (for reporting what was compared). */
export function countKeys(s: CommitMultiStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of s.storeNames) {
    let n = 0;
    for (const _ of s.getStore(name).iterator()) n++;
    out[name] = n;
  }
  return out;
}
