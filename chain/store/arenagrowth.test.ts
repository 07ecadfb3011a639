/**
 * Arena growth at commit (storetree.ts ArenaLiveTree.growAhead, README "Round 9 (p9)"): when the
 * last block's growth would not fit again, the arena grows when the commit lands, not in the middle
 * of the next block; values and AppHashes are those of a store that grows on demand.
 */
import { RootMultiStore } from "./multistore";
import { commitBankWrites as block, tempDirsPerTest } from "./testutil";

const newDir = tempDirsPerTest("hg-growth-");
type Arena = { liveSlots: number; capacity: number };
const arenaOf = (cms: RootMultiStore) => (cms as unknown as { stores: Map<string, { tree: { tree: { arena: Arena } } }> }).stores.get("bank")!.tree.tree.arena;

test("an arena whose last block would not fit again grows at commit; same AppHash as an IavlTree store", async () => {
  const a = await RootMultiStore.open({ dir: newDir(), storeNames: ["bank"], arena: true, hashWorker: false });
  const b = await RootMultiStore.open({ dir: newDir(), storeNames: ["bank"], arena: false });
  const caps: [number, number][] = [];
  for (let v = 0; v < 6; v++) {
    const writes: [string, string][] = [];
    for (let i = 0; i < 400; i++) writes.push([`k/${v}/${i}`, `v${i}`]);
    for (const cms of [a, b]) await block(cms, writes);
    expect(Buffer.from(a.lastCommit.appHash).toString("hex")).toBe(Buffer.from(b.lastCommit.appHash).toString("hex"));
    const ar = arenaOf(a);
    caps.push([ar.liveSlots, ar.capacity]);
  }
  // After every commit there is room for one more block like the last one (~800 new slots each).
  for (let i = 1; i < caps.length; i++) {
    const [live, cap] = caps[i]!;
    const grew = live - caps[i - 1]![0];
    expect(live + grew).toBeLessThanOrEqual(cap);
  }
  await a.close();
  await b.close();
});
