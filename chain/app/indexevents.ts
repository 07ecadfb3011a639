/**
 * Which event attributes CometBFT's kv indexer stores (the Cosmos SDK's `index-events` idea).
 *
 * Every indexed attribute costs CometBFT one LevelDB key per tx, written on the commit path;
 * a MsgSend emits ~20 attributes. A node indexes only the attributes clients search by.
 * Semantics follow the SDK's MarkEventsToIndex: with a set, an attribute is indexed iff
 * "type.key" is in it; an empty set indexes everything. Events never touch the AppHash or
 * LastResultsHash (CometBFT hashes only code, data and gas of a tx result), so this setting
 * is per node and changes no consensus byte.
 */
/**
 * Hashgrid's node default (hashgrid.json `indexEvents` overrides; `[]` = index all, like the SDK's
 * empty `index-events`). Covers what CosmJS searchTx users, explorers and our e2e tests query:
 * sender/recipient/action, replay lookups (acc_seq, signature) and the fee payer. tx.hash and
 * tx.height are always indexed by CometBFT itself. Amounts, coin_spent/coin_received (duplicates
 * of transfer), msg_index and the BeginBlock/EndBlock `mode` tag are not indexed by default.
 */
export const DEFAULT_INDEX_EVENTS: readonly string[] = [
  "message.action",
  "message.module",
  "message.sender",
  "transfer.recipient",
  "transfer.sender",
  "tx.acc_seq",
  "tx.fee_payer",
  "tx.signature",
];

/** Marks attributes for indexing; undefined keeps the emitters' own flags. */
export type IndexPolicy = ((type: string, key: string) => boolean) | undefined;

export function indexPolicy(list: readonly string[] | undefined): IndexPolicy {
  if (list === undefined) return undefined;
  if (list.length === 0) return () => true;
  // type → keys: no "type.key" string built per attribute (this runs ~20 times per tx).
  const byType = new Map<string, Set<string>>();
  for (const entry of list) {
    const dot = entry.indexOf(".");
    const type = entry.slice(0, dot);
    let keys = byType.get(type);
    if (!keys) byType.set(type, (keys = new Set()));
    keys.add(entry.slice(dot + 1));
  }
  return (type, key) => byType.get(type)?.has(key) ?? false;
}

/** Validates a configured list: each entry "eventType.attributeKey". */
export function checkIndexEvents(list: unknown): readonly string[] {
  if (!Array.isArray(list) || !list.every((s) => typeof s === "string" && /^[^.\s]+\.[^\s]+$/.test(s))) {
    throw new Error(`indexEvents must be a list of "eventType.attributeKey" strings, got ${JSON.stringify(list)}`);
  }
  return list as string[];
}
