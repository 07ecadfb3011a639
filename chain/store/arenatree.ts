/**
 * IAVL+ tree on the node arena (arena.ts): the same algorithm, hashes and node keys as IavlTree
 * (iavl.ts, a port of cosmos/iavl v1 mutable_tree.go), with nodes as slot indices instead of JS
 * objects. Saved nodes may be stubs (height -1: node key and expected hash only) filled on demand
 * by an ArenaLoader (DbNodeLoader.loadSlot). The multistore's live tree by default, through
 * storetree.ts (README "Round 6").
 *
 * One pass per new node at save: the hash pass that hashes every unsaved node records them in
 * post-order (= save order), and saveVersion walks that list (see `order`). New nodes can be
 * hashed, and inner pages encoded, on a second thread (`hashWorker`, arenahash.ts, arenawriter.ts).
 *
 * Slot lifetime. Working (unsaved, version 0) nodes have exactly one parent and are changed in
 * place; when one drops out of the working tree its slot is freed at once. Saved nodes are
 * immutable; replacing one records it as an orphan (the store's orphan record, encoded at once)
 * and its slot is freed only when `keepVersions` more versions have been saved, so read-only views
 * of the last `keepVersions` versions (`view()`) stay readable from the arena. A view of an older
 * version throws StoreError instead of reading reused slots (`releasedThrough`). Iterators re-seek
 * from their last key whenever the arena changed between two steps (`NodeArena.epoch`).
 */
import { StoreError } from "./types";
import * as enc from "./encoding";
import * as hb from "./hashbytes"; // hot: bound locally below
import { bytesToKey } from "./encoding";
import * as arenaMod from "./arena";
import { NodeArena } from "./arena";
import type { ArenaLoader } from "./arenaload";
import type { ArenaHashWorker } from "./arenahash";
import * as iavlMod from "./iavl";
import type { PathStep } from "./iavl";

// Local bindings: CommonJS output turns imported names into getter calls on every use (hot here).
const putUvarint = enc.putUvarint;
const FLAG_HASHED = arenaMod.FLAG_HASHED;
const FLAG_LISTED = arenaMod.FLAG_LISTED;
const SLOT_BYTES = arenaMod.SLOT_BYTES;
const KID_LEFT = arenaMod.KID_LEFT;
const KID_RIGHT = arenaMod.KID_RIGHT;
const LEAF_NONCE_BASE = iavlMod.LEAF_NONCE_BASE;
const digestScratch = hb.digestScratch;
const hashScratch = hb.hashScratch;
const writeInnerPrefix = hb.writeInnerPrefix;
const writeLeafPreimage = hb.writeLeafPreimage;
const EMPTY_HASH = enc.EMPTY_HASH;

/**
 * Go (*Node).writeHashBytes + sha256 of slot `s` alone (its children, if any, already hashed),
 * `version` for unsaved nodes; the digest goes into the slot's hash bytes.
 */
function hashOne(a: NodeArena, s: number, version: number): void {
  const sv = a.version(s);
  const v = sv !== 0 ? sv : version;
  const height = a.height(s);
  let pos: number;
  if (height === 0) {
    pos = writeLeafPreimage(a.keys[s]!, a.vals[s]!, v);
  } else {
    const l = a.left(s);
    const r = a.right(s);
    const buf = hashScratch();
    pos = writeInnerPrefix(height, a.size(s), v);
    buf[pos++] = 0x20;
    // Child hashes straight from their records (the clean sibling: one cache line, no string).
    const u8 = a.u8;
    let o = l * SLOT_BYTES;
    for (let i = 0; i < 32; i++) buf[pos + i] = u8[o + i]!;
    pos += 32;
    buf[pos++] = 0x20;
    o = r * SLOT_BYTES;
    for (let i = 0; i < 32; i++) buf[pos + i] = u8[o + i]!;
    pos += 32;
  }
  a.setHashLatin1(s, digestScratch(pos));
}

/**
 * Go (*Node).writeHashBytes + sha256 of slot `s` and every unhashed node below it, `version` for
 * unsaved nodes; the digest goes into the slot's hash bytes.
 */
export function hashSlot(a: NodeArena, s: number, version: number): void {
  if (a.hashed(s)) return;
  if (a.height(s) > 0) {
    hashSlot(a, a.left(s), version);
    hashSlot(a, a.right(s), version);
  }
  hashOne(a, s, version);
}

/** hashSlot that also appends each slot it hashes to `list` (post-order). */
function hashSlotListed(a: NodeArena, s: number, version: number, list: SlotList): void {
  if (a.hashed(s)) return;
  if (a.height(s) > 0) {
    hashSlotListed(a, a.left(s), version, list);
    hashSlotListed(a, a.right(s), version, list);
  }
  hashOne(a, s, version);
  list.push(s);
}

/**
 * hashSlotListed with the nodes hashed by `w` on its thread: leaves (their preimages copied for it)
 * and inner nodes are listed for the worker, which hashes them in list order, i.e. children first —
 * except while the worker lags behind, when a leaf, or an inner node whose children were hashed
 * here (or were clean), is hashed here. Returns true when `s` is hashed on return (false: listed,
 * hashed later).
 */
function listForWorker(a: NodeArena, s: number, version: number, list: SlotList, w: ArenaHashWorker, e: EarlyPass | undefined): boolean {
  const f = a.flags(s);
  if (f !== 0) {
    // Listed during the apply (hashBefore): its save order is a recorded segment.
    if ((f & FLAG_LISTED) !== 0 && e !== undefined) {
      e.expand(s, list);
      return (a.flags(s) & FLAG_HASHED) !== 0;
    }
    if ((f & FLAG_HASHED) !== 0) return true;
  }
  if (a.height(s) > 0) {
    // A clean (saved) child is hashed: skipped by its parent's kids bits, without reading its record.
    const k = a.kids(s);
    const l = (k & KID_LEFT) === 0 || listForWorker(a, a.left(s), version, list, w, e);
    const r = (k & KID_RIGHT) === 0 || listForWorker(a, a.right(s), version, list, w, e);
    list.push(s);
    if (l && r && w.lagging()) {
      hashOne(a, s, version);
      return true;
    }
    w.push(s);
    return false;
  }
  list.push(s);
  // Leaves too go to the worker (their preimage copied into its buffer) unless it lags behind.
  if (!w.lagging() && w.pushLeaf(s, a.keys[s]!, a.vals[s]!, version)) return false;
  hashOne(a, s, version);
  return true;
}

/**
 * A hash pass started during the apply (ArenaTree.hashBefore): subtrees the sorted apply has moved
 * past are listed for the worker while the main thread keeps applying. Each listed subtree's save
 * order (post-order of its unsaved nodes) is a segment of `entries`: slots, and -(k + 1) for a
 * listed subtree k below it, so the final walk splices them into the save order in one copy.
 */
class EarlyPass {
  readonly entries = new SlotList();
  /** Segment k is entries[starts[k] .. ends[k]). */
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Segment root slot → segment index. */
  readonly segOf = new Map<number, number>();
  /** A listed node changed after listing (or the worker failed): the save order is rebuilt from the tree. */
  broken = false;
  /** Main-thread waits for a listed node it had to change. */
  waits = 0;

  /** Appends segment `s`'s save order to `list`. */
  expand(s: number, list: SlotList): void {
    if (this.broken) return;
    const k = this.segOf.get(s);
    if (k === undefined) {
      this.broken = true;
      return;
    }
    this.expandSeg(k, list);
  }

  private expandSeg(k: number, list: SlotList): void {
    const e = this.entries.a;
    const end = this.ends[k]!;
    for (let i = this.starts[k]!; i < end; i++) {
      const x = e[i]!;
      if (x > 0) list.push(x);
      else this.expandSeg(-x - 1, list);
    }
  }
}

/** A growable Int32Array of slots. */
class SlotList {
  a = new Int32Array(1024);
  n = 0;
  push(s: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = s;
  }
}

/** The leaf a proof path ends at (what proofs.ts needs of it). */
export interface ArenaLeaf {
  readonly version: number;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface ArenaTreeOptions {
  /** Arena to allocate from (views share their tree's); default a new one. */
  readonly arena?: NodeArena;
  /** Fills stubs (saved nodes not in memory); without one the tree is in memory only. */
  readonly loader?: ArenaLoader;
  /**
   * Saved versions before the latest whose nodes stay in the arena (readable through view());
   * an orphan's slot is freed when this many versions were saved after the one that orphaned
   * it. Default 2; Infinity keeps every version (tests).
   */
  readonly keepVersions?: number;
  /**
   * Hashes new nodes on a second thread (arenahash.ts; only when the arena is shared, else
   * serially); ArenaNodeWriter given it encodes inner pages there too. Off by default: README
   * "Round 6b" and "Round 7" have the figures.
   */
  readonly hashWorker?: ArenaHashWorker;
}

export class ArenaTree {
  readonly arena: NodeArena;
  private readonly loader: ArenaLoader | undefined;
  /** The hashWorker option (ArenaNodeWriter uses it to encode inner pages at save). */
  readonly hashWorker: ArenaHashWorker | undefined;
  /** Working root slot (0 = empty). */
  root = 0;
  /** Root slot of the last saved version. */
  savedRoot = 0;
  /** Last saved version (0 = none). */
  version = 0;
  initialVersion = 0;
  /** Number of orphans recorded in the working version. */
  orphanCount = 0;
  /**
   * Views of versions at or below this may have lost nodes to slot reuse (their reads throw).
   * Only the tree that owns the writes moves it.
   */
  releasedThrough = 0;
  private readonly keepVersions: number;
  /** Set for read-only views: the tree whose slots they borrow. */
  private readonly owner: ArenaTree | undefined;
  private orphanBuf = new Uint8Array(1024);
  private orphanPos = 0;
  /** Saved slots orphaned in the working version. */
  private orphanSlots: number[] = [];
  /**
   * Slots waiting to be freed, oldest first: orphans of the save of `version`, or subtrees evicted
   * at `version`. `through`: the newest version that may read them.
   */
  private readonly retired: { version: number; through: number; slots: number[] }[] = [];
  private updated = false;
  /**
   * The unsaved nodes in save order (post-order), recorded by the hash pass that hashed them all
   * (`workingHash` when no unsaved node had a hash yet), so `saveVersion` walks this list instead
   * of the tree. Valid only while `root === orderRoot`: any later change to the tree unhashes the
   * root or replaces it, and the next hash pass (then partial) sets `orderRoot` to 0.
   */
  private readonly order = new SlotList();
  private orderRoot = 0;
  /** Some unsaved node has a hash (a later hash pass only rehashes changed paths). */
  private unsavedHashed = false;
  /** arena.allocs at the last save / rollback (how big the next hash pass is, roughly). */
  private allocsAtSave: number;
  /** Saves that had to rebuild the list by walking the tree (tests). */
  orderRebuilds = 0;
  private rmSelf = 0;
  private rmKey: string | undefined = undefined;
  /** The hash pass the apply started (hashBefore), finished by workingHash. */
  private early: EarlyPass | undefined = undefined;
  /** The worker failed during the apply: workingHash reports it (StoreError) like a failed pass. */
  private earlyFailed = false;
  /** Early passes run, subtrees listed by them, main-thread waits for listed nodes, saves that had to rebuild their order (tests, benchmarks). */
  readonly earlyStats = { passes: 0, segments: 0, nodes: 0, waits: 0, broken: 0 };

  constructor(opts: ArenaTreeOptions = {}, owner?: ArenaTree) {
    this.arena = opts.arena ?? new NodeArena();
    this.loader = opts.loader;
    this.hashWorker = opts.hashWorker;
    this.allocsAtSave = this.arena.allocs;
    this.keepVersions = opts.keepVersions ?? 2;
    this.owner = owner;
  }

  /**
   * A read-only tree of saved version `version` whose root is slot `root` (e.g. an earlier
   * `savedRoot`), sharing this tree's arena. Reads throw StoreError once that version's nodes may
   * have been freed (more than keepVersions newer versions saved).
   */
  view(root: number, version: number): ArenaTree {
    const t = new ArenaTree({ arena: this.arena, loader: this.loader }, this);
    t.root = root;
    t.savedRoot = root;
    t.version = version;
    return t;
  }

  /**
   * Opens the tree at saved version `version` whose root is node (rootVersion, rootNonce) with
   * hash `hash` (the commit record), as a stub; nothing else may be in the tree yet.
   */
  openSaved(version: number, rootVersion: number, rootNonce: number, hash: Uint8Array): void {
    if (this.root !== 0 || this.version !== 0) throw new StoreError("openSaved on a tree that is not empty");
    this.root = this.savedRoot = this.arena.allocStub(rootVersion, rootNonce, hash, 0);
    this.version = version;
  }

  /** Loads slot `n` when it is a stub; returns it. */
  private ld(n: number): number {
    if (this.arena.height(n) < 0) {
      if (this.loader === undefined) throw new StoreError(`unloaded node (version ${this.arena.version(n)}, nonce ${this.arena.nonce(n)}) in an in-memory tree`);
      this.loader.loadSlot(this.arena, n);
    }
    return n;
  }

  /** The version the next save will have. */
  get workingVersion(): number {
    if (this.version === 0 && this.initialVersion > 0) return this.initialVersion;
    return this.version + 1;
  }

  private check(): void {
    const o = this.owner;
    if (o !== undefined && this.version <= o.releasedThrough) {
      throw new StoreError(`version ${this.version} is no longer held in the node arena (nodes of versions up to ${o.releasedThrough} were released)`);
    }
  }

  private readOnly(): never {
    throw new StoreError(`tree view of version ${this.version} is read-only`);
  }

  get size(): number {
    this.check();
    return this.root === 0 ? 0 : this.arena.size(this.ld(this.root));
  }

  /** Root hash of the working tree (hashes new nodes with the working version). */
  workingHash(): Uint8Array {
    if (this.early !== undefined) return this.finishEarly();
    if (this.earlyFailed) {
      this.earlyFailed = false;
      throw new StoreError("arena hash worker failed during a pass");
    }
    if (this.root === 0) return EMPTY_HASH;
    const a = this.arena;
    if (!a.hashed(this.root)) {
      if (this.unsavedHashed) {
        // Only the changed paths get hashed: the list would miss the rest; rebuilt at save.
        this.orderRoot = 0;
        hashSlot(a, this.root, this.workingVersion);
      } else {
        this.unsavedHashed = true;
        this.order.n = 0;
        const w = this.hashWorker;
        if (w !== undefined && a.allocs - this.allocsAtSave >= w.minNodes && w.canHash(a)) {
          w.begin(a, this.workingVersion, a.liveSlots);
          try {
            listForWorker(a, this.root, this.workingVersion, this.order, w, undefined);
          } finally {
            w.finish();
          }
        } else {
          hashSlotListed(a, this.root, this.workingVersion, this.order);
        }
        this.orderRoot = this.root;
      }
      this.unsavedHashed = true;
    }
    return a.hashBytes(this.root);
  }

  /**
   * Overlaps hashing with the apply (hash worker only): the caller applies writes in ascending key
   * order and promises that every write still to come before the next workingHash() has a key
   * >= `key` (`remaining` of them, for sizing). Subtrees left of `key`'s search path hold only
   * smaller keys, so only a rotation can change them again; they are listed for the worker now
   * (except each one's top two nodes, which a rotation through the path may still restructure).
   * A listed node that changes anyway waits for its hash and then changes as usual (`touch`):
   * hashes are the same either way. No-op without a usable worker or for small passes.
   */
  hashBefore(key: string, remaining: number): void {
    if (this.owner !== undefined) this.readOnly();
    const a = this.arena;
    const w = this.hashWorker;
    if (w === undefined || this.root === 0) return;
    let e = this.early;
    if (e === undefined) {
      if (this.unsavedHashed || this.earlyFailed || a.allocs - this.allocsAtSave < w.minNodes || !w.canHash(a)) return;
      e = this.early = new EarlyPass();
      this.beginEarlyPass(a, w, remaining);
      this.earlyStats.passes++;
    }
    this.earlyRemaining = remaining;
    const version = this.workingVersion;
    let n = this.root;
    w.holdPublish = w.earlyHoldPublish;
    while (a.version(n) === 0 && a.flags(n) === 0 && a.height(n) > 0) {
      if (key < a.keys[n]!) {
        n = a.left(n);
        continue;
      }
      const l = a.left(n);
      if (a.height(l) > 0 && a.version(l) === 0 && a.flags(l) === 0) {
        // l and l.right may still be rotated by writes through n: list below them.
        this.listSegment(a.left(l), version, e, w);
        const lr = a.right(l);
        if (a.height(lr) > 0 && a.version(lr) === 0 && a.flags(lr) === 0) {
          this.listSegment(a.left(lr), version, e, w);
          this.listSegment(a.right(lr), version, e, w);
        } else {
          this.listSegment(lr, version, e, w);
        }
      } else {
        this.listSegment(l, version, e, w);
      }
      n = a.right(n);
    }
    w.holdPublish = false;
    w.publish();
  }

  /**
   * Starts the worker's pass for an early pass (again after the arena grew: the worker must be
   * given the new buffer, so the running pass is drained first, see NodeArena.growHook).
   */
  private beginEarlyPass(a: NodeArena, w: ArenaHashWorker, remaining: number): void {
    // Entries of the pass: every unsaved node at the end, at most liveSlots now + new slots (< 160 per write).
    w.begin(a, this.workingVersion, a.liveSlots + remaining * 160 + 1024);
    a.growHook = {
      before: () => {
        a.growHook = undefined;
        try {
          w.finish();
        } catch {
          this.abandonEarly();
        }
      },
      after: () => {
        if (this.early !== undefined) this.beginEarlyPass(a, w, this.earlyRemaining);
      },
    };
  }

  /** Writes still to come in the apply (the last hashBefore's `remaining`). */
  private earlyRemaining = 0;

  /** Lists the unsaved, unlisted subtree at `s` as a new segment. */
  private listSegment(s: number, version: number, e: EarlyPass, w: ArenaHashWorker): void {
    const a = this.arena;
    if (s === 0 || a.version(s) !== 0 || a.flags(s) !== 0) return;
    const k = e.starts.length;
    e.starts.push(e.entries.n);
    e.ends.push(0);
    this.listEarly(s, version, e, w);
    e.ends[k] = e.entries.n;
    e.segOf.set(s, k);
    this.earlyStats.segments++;
  }

  /**
   * Post-order listing of unsaved, unflagged `s` and its unflagged unsaved descendants. As in the
   * final walk, while the worker lags behind this thread hashes leaves, and inner nodes whose
   * children are hashed. Returns whether `s` is hashed on return.
   */
  private listEarly(s: number, version: number, e: EarlyPass, w: ArenaHashWorker): boolean {
    const a = this.arena;
    let hashed: boolean;
    if (a.height(s) > 0) {
      let both = true;
      const kids = a.kids(s);
      for (let c = a.left(s), side = 0; side < 2; c = a.right(s), side++) {
        // A clean child (kids bit 0) is saved: not read at all (a cold record per clean sibling).
        if ((kids & (side === 0 ? KID_LEFT : KID_RIGHT)) === 0) continue;
        if (a.version(c) !== 0) continue; // (never: the bits are exact; a cheap read of a child visited anyway)
        const f = a.flags(c);
        if (f !== 0) {
          const k = e.segOf.get(c);
          if (k === undefined) e.broken = true;
          else e.entries.push(-k - 1);
          if ((f & FLAG_HASHED) === 0) both = false;
        } else if (!this.listEarly(c, version, e, w)) {
          both = false;
        }
      }
      hashed = both && w.laggingEarly();
      if (hashed) hashOne(a, s, version);
      a.setListed(s);
      if (!hashed) w.push(s);
    } else {
      a.setListed(s);
      hashed = w.laggingEarly() || !w.pushLeaf(s, a.keys[s]!, a.vals[s]!, version);
      if (hashed) hashOne(a, s, version);
    }
    e.entries.push(s);
    this.earlyStats.nodes++;
    return hashed;
  }

  /**
   * Unsaved node `n` is about to change or be freed while an early pass runs: when it was listed,
   * wait for its hash (the worker must be done with it), and its segment no longer matches.
   */
  private touch(n: number): void {
    const e = this.early!;
    const a = this.arena;
    const f = a.flags(n);
    if (f === 0) return;
    e.broken = true;
    if ((f & FLAG_HASHED) !== 0) return;
    this.earlyStats.waits++;
    if (!this.hashWorker!.waitHashed(a.u8, n * SLOT_BYTES + 45)) this.abandonEarly();
  }

  /**
   * The worker failed (or wedged) during the apply: listed nodes it did not hash lose their mark
   * and are hashed by the next pass on this thread; workingHash reports the failure once.
   */
  private abandonEarly(): void {
    this.dropEarly(this.early!);
    this.earlyFailed = true;
  }

  /** Detaches an early pass, lets the worker finish it (a failure is reported by workingHash or not at all), clears its marks. */
  private dropEarly(e: EarlyPass): void {
    this.early = undefined;
    this.arena.growHook = undefined;
    try {
      this.hashWorker!.finish();
    } catch {
      // abandonEarly: reported by workingHash; endEarly: nothing of this pass is kept
    }
    this.clearEarlyMarks(e);
  }

  private clearEarlyMarks(e: EarlyPass): void {
    const a = this.arena;
    const list = e.entries.a;
    for (let i = 0; i < e.entries.n; i++) {
      const s = list[i]!;
      if (s > 0 && a.version(s) === 0) a.clearListed(s);
    }
  }

  /** Ends an early pass whose hashes are no longer wanted (rollback, invalidation): waits for the worker, clears the marks. */
  private endEarly(): void {
    const e = this.early;
    this.earlyFailed = false;
    if (e !== undefined) this.dropEarly(e);
  }

  /** workingHash() of an early pass: lists the rest, splices the segments into the save order, waits for the worker. */
  private finishEarly(): Uint8Array {
    const e = this.early!;
    this.early = undefined;
    const a = this.arena;
    a.growHook = undefined;
    const w = this.hashWorker!;
    this.unsavedHashed = true;
    this.order.n = 0;
    try {
      if (this.root !== 0) listForWorker(a, this.root, this.workingVersion, this.order, w, e);
      w.finish();
    } catch (err) {
      this.clearEarlyMarks(e);
      this.orderRoot = 0;
      throw err;
    }
    if (e.broken) this.earlyStats.broken++;
    this.orderRoot = e.broken ? 0 : this.root;
    return this.root === 0 ? EMPTY_HASH : a.hashBytes(this.root);
  }

  /** Hash of the last saved version. */
  savedHash(): Uint8Array {
    this.check();
    return this.savedRoot === 0 ? EMPTY_HASH : this.arena.hashBytes(this.savedRoot);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.getLatin1(bytesToKey(key));
    return v === undefined ? undefined : Buffer.from(v, "latin1");
  }

  /** get() with the key and value as latin1 strings. */
  getLatin1(key: string): string | undefined {
    this.check();
    const a = this.arena;
    let n = this.root;
    if (n === 0) return undefined;
    this.ld(n);
    while (a.height(n) > 0) n = this.ld(key < a.keys[n]! ? a.left(n) : a.right(n));
    return a.keys[n] === key ? a.vals[n] : undefined;
  }

  /** Go ImmutableTree.GetWithIndex: index of the key or of where it would be inserted. */
  getWithIndex(key: Uint8Array): [number, Uint8Array | undefined] {
    this.check();
    const a = this.arena;
    let n = this.root;
    if (n === 0) return [0, undefined];
    this.ld(n);
    const k = bytesToKey(key);
    let index = 0;
    while (a.height(n) > 0) {
      if (k < a.keys[n]!) {
        n = this.ld(a.left(n));
      } else {
        const r = this.ld(a.right(n));
        index += a.size(n) - a.size(r);
        n = r;
      }
    }
    const nk = a.keys[n]!;
    if (nk < k) return [index + 1, undefined];
    if (nk > k) return [index, undefined];
    return [index, Buffer.from(a.vals[n]!, "latin1")];
  }

  getByIndex(index: number): [Uint8Array, Uint8Array] | undefined {
    this.check();
    const a = this.arena;
    let n = this.root;
    if (n === 0) return undefined;
    this.ld(n);
    if (index < 0 || index >= a.size(n)) return undefined;
    while (a.height(n) > 0) {
      const l = this.ld(a.left(n));
      if (index < a.size(l)) {
        n = l;
      } else {
        index -= a.size(l);
        n = this.ld(a.right(n));
      }
    }
    return [Buffer.from(a.keys[n]!, "latin1"), Buffer.from(a.vals[n]!, "latin1")];
  }

  /** Root-to-leaf path for `key` (which must exist), as used by ICS-23 existence proofs. */
  pathToLeaf(key: Uint8Array): { path: PathStep[]; leaf: ArenaLeaf } {
    this.check();
    const a = this.arena;
    let n = this.root;
    if (n === 0) throw new StoreError("cannot build a proof in an empty tree");
    // It hashes subtrees here: a worker pass of hashBefore must not be hashing them meanwhile.
    if (this.early !== undefined) this.workingHash();
    this.ld(n);
    const path: PathStep[] = [];
    const wv = this.workingVersion;
    const k = bytesToKey(key);
    if (!a.hashed(n)) {
      // Hashing single subtrees of the working tree: the save order must be rebuilt.
      this.unsavedHashed = true;
      this.orderRoot = 0;
    }
    while (a.height(n) > 0) {
      const sv = a.version(n);
      const version = sv !== 0 ? sv : wv;
      const l = a.left(n);
      const r = a.right(n);
      if (k < a.keys[n]!) {
        hashSlot(a, r, wv);
        path.push({ height: a.height(n), size: a.size(n), version, left: undefined, right: a.hashBytes(r) });
        n = this.ld(l);
      } else {
        hashSlot(a, l, wv);
        path.push({ height: a.height(n), size: a.size(n), version, left: a.hashBytes(l), right: undefined });
        n = this.ld(r);
      }
    }
    if (a.keys[n] !== k) throw new StoreError(`key ${Buffer.from(key).toString("hex")} not in tree`);
    return { path, leaf: { version: a.version(n), key: Buffer.from(k, "latin1"), value: Buffer.from(a.vals[n]!, "latin1") } };
  }

  /**
   * Ordered iteration over [start, end). The walk holds slot indices across yields, so when the
   * arena changed in between (a write, a freed slot) it re-seeks from just after the last key it
   * yielded, in the tree as it is then: never a reused slot, never a key twice or out of order.
   */
  *iterate(start: Uint8Array | undefined, end: Uint8Array | undefined, reverse: boolean): Generator<[Uint8Array, Uint8Array]> {
    const a = this.arena;
    let lo = start === undefined ? undefined : bytesToKey(start);
    let hi = end === undefined ? undefined : bytesToKey(end);
    for (;;) {
      this.check();
      if (this.root === 0) return;
      const epoch = a.epoch;
      const stack: number[] = [this.root];
      let moved = false;
      while (stack.length > 0) {
        const n = this.ld(stack.pop()!);
        const k = a.keys[n]!;
        if (a.height(n) === 0) {
          if ((lo === undefined || k >= lo) && (hi === undefined || k < hi)) {
            yield [Buffer.from(k, "latin1"), Buffer.from(a.vals[n]!, "latin1")];
            if (a.epoch !== epoch) {
              if (reverse) hi = k;
              else lo = k + "\0"; // the smallest key after k
              moved = true;
              break;
            }
          }
          continue;
        }
        // Left subtree keys < k <= right subtree keys.
        const wantLeft = lo === undefined || lo < k;
        const wantRight = hi === undefined || k < hi;
        if (reverse) {
          if (wantLeft) stack.push(a.left(n));
          if (wantRight) stack.push(a.right(n));
        } else {
          if (wantRight) stack.push(a.right(n));
          if (wantLeft) stack.push(a.left(n));
        }
      }
      if (!moved) return;
    }
  }

  // ---- mutation (mirrors mutable_tree.go, like IavlTree) ----

  /** Sets key=value; returns true when an existing key was updated. */
  set(key: Uint8Array, value: Uint8Array): boolean {
    return this.setLatin1(bytesToKey(key), bytesToKey(value));
  }

  /** set() with key and value as latin1 strings (one char per byte). */
  setLatin1(key: string, value: string): boolean {
    if (this.owner !== undefined) this.readOnly();
    const a = this.arena;
    a.epoch++;
    if (this.root === 0) {
      this.root = a.alloc(key, value, 0, 1);
      return false;
    }
    this.updated = false;
    this.root = this.setRec(this.root, key, value);
    return this.updated;
  }

  /** Removes key; returns true when it existed. */
  remove(key: Uint8Array): boolean {
    return this.removeLatin1(bytesToKey(key));
  }

  /** remove() with the key as a latin1 string. */
  removeLatin1(key: string): boolean {
    if (this.owner !== undefined) this.readOnly();
    if (this.root === 0) return false;
    this.arena.epoch++;
    if (!this.removeRec(this.root, key)) return false;
    this.root = this.rmSelf;
    return true;
  }

  /** Forgets the hashes of unsaved nodes (they embed the working version, see IavlTree). */
  invalidateUnsavedHashes(): void {
    this.endEarly();
    const a = this.arena;
    const walk = (n: number): void => {
      if (n === 0 || a.version(n) !== 0) return;
      a.clearHashed(n);
      if (a.height(n) > 0) {
        walk(a.left(n));
        walk(a.right(n));
      }
    };
    walk(this.root);
    this.unsavedHashed = false;
    this.orderRoot = 0;
  }

  /** Drops every unsaved change (working root back to the saved root); frees the working nodes. */
  rollback(): void {
    this.endEarly();
    const a = this.arena;
    const free = (n: number): void => {
      if (n === 0 || a.version(n) !== 0) return;
      if (a.height(n) > 0) {
        free(a.left(n));
        free(a.right(n));
      }
      a.release(n);
    };
    free(this.root);
    a.epoch++;
    this.root = this.savedRoot;
    this.orphanPos = 0;
    this.orphanCount = 0;
    this.orphanSlots = [];
    this.unsavedHashed = false;
    this.orderRoot = 0;
    this.allocsAtSave = a.allocs;
  }

  /**
   * Saves the working version: assigns node keys (post-order: inner nonces from 1, leaf nonces
   * from 2^31 + 1) and hashes, calling `persist` with each new slot. Frees the slots orphaned
   * keepVersions versions ago. Returns the root hash.
   */
  saveVersion(persist?: (slot: number) => void): Uint8Array {
    if (this.owner !== undefined) this.readOnly();
    const a = this.arena;
    const version = this.workingVersion;
    const hash = this.workingHash();
    if (this.root !== 0 && a.version(this.root) === 0) {
      const order = this.order;
      if (this.orderRoot !== this.root) {
        // Hashed in several passes (or proofs hashed subtrees): collect the post-order again.
        this.orderRebuilds++;
        order.n = 0;
        const visit = (n: number): void => {
          if (a.height(n) > 0) {
            const k = a.kids(n);
            if ((k & KID_LEFT) !== 0) visit(a.left(n));
            if ((k & KID_RIGHT) !== 0) visit(a.right(n));
          }
          order.push(n);
        };
        visit(this.root);
      }
      // Node keys in post-order: inner nonces from 1, leaf nonces from 2^31 + 1.
      const list = order.a;
      const count = order.n;
      let inner = 0;
      let leaf = LEAF_NONCE_BASE;
      for (let i = 0; i < count; i++) {
        const n = list[i]!;
        a.setNonce(n, a.height(n) > 0 ? ++inner : ++leaf);
        a.setVersion(n, version);
        a.clearListed(n);
        a.setKids(n, 0); // saved nodes have saved children
        if (persist !== undefined) persist(n);
      }
    }
    this.order.n = 0;
    this.orderRoot = 0;
    this.unsavedHashed = false;
    this.allocsAtSave = a.allocs;
    this.version = version;
    this.savedRoot = this.root;
    // Orphans of this save were nodes of versions up to version - 1.
    this.retired.push({ version, through: version - 1, slots: this.orphanSlots });
    this.orphanSlots = [];
    this.orphanPos = 0;
    this.orphanCount = 0;
    this.releaseRetired();
    return hash;
  }

  private releaseRetired(): void {
    const a = this.arena;
    const r = this.retired;
    while (r.length > 0 && r[0]!.version <= this.version - this.keepVersions) {
      const { through, slots } = r.shift()!;
      if (through > this.releasedThrough) this.releasedThrough = through;
      for (let i = 0; i < slots.length; i++) a.release(slots[i]!);
    }
  }

  /**
   * Bounds memory: loaded nodes below `depth` of the saved tree become stubs again (reloaded on
   * demand). A node at depth `depth` + 1 is turned into a stub in place (it keeps node key and
   * hash); the slots below it are retired like orphans of the current version, so views and
   * iterators reading them meanwhile see intact records. Only with no unsaved changes.
   */
  evictBelow(depth: number): void {
    if (this.owner !== undefined) this.readOnly();
    if (this.root !== this.savedRoot) throw new StoreError("cannot evict nodes with unsaved changes");
    if (this.loader === undefined) throw new StoreError("cannot evict nodes of an in-memory tree");
    const a = this.arena;
    const slots: number[] = [];
    const retire = (n: number): void => {
      slots.push(n);
      if (a.height(n) > 0) {
        retire(a.left(n));
        retire(a.right(n));
      }
    };
    const toStub = (c: number): void => {
      if (a.height(c) < 0) return;
      if (a.height(c) > 0) {
        retire(a.left(c));
        retire(a.right(c));
        a.setLeft(c, 0);
        a.setRight(c, 0);
      }
      a.setHeight(c, -1);
      a.keys[c] = "";
      a.vals[c] = undefined;
    };
    const walk = (n: number, d: number): void => {
      if (a.height(n) <= 0) return;
      if (d >= depth) {
        toStub(a.left(n));
        toStub(a.right(n));
        return;
      }
      walk(a.left(n), d + 1);
      walk(a.right(n), d + 1);
    };
    if (this.root !== 0) walk(this.root, 0);
    a.epoch++;
    if (slots.length > 0) this.retired.push({ version: this.version, through: this.version, slots });
    this.releaseRetired();
  }

  /** The orphan record of the working version (a copy; empty when nothing was orphaned). */
  encodedOrphans(): Uint8Array {
    return this.orphanBuf.slice(0, this.orphanPos);
  }

  /** A node leaves the working tree: saved ones become orphans, unsaved ones are freed now. */
  private drop(n: number): void {
    if (this.arena.version(n) !== 0) this.addOrphan(n);
    else {
      if (this.early !== undefined) this.touch(n);
      this.arena.release(n);
    }
  }

  private addOrphan(n: number): void {
    const a = this.arena;
    if (this.orphanPos + 14 > this.orphanBuf.length) {
      const b = new Uint8Array(this.orphanBuf.length * 2);
      b.set(this.orphanBuf.subarray(0, this.orphanPos));
      this.orphanBuf = b;
    }
    let pos = putUvarint(this.orphanBuf, this.orphanPos, a.version(n));
    pos = putUvarint(this.orphanBuf, pos, a.nonce(n));
    this.orphanPos = pos;
    this.orphanCount++;
    this.orphanSlots.push(n);
  }

  /** A node this version may modify: unsaved nodes in place, saved ones copied (and orphaned). */
  private mutable(n: number): number {
    const a = this.arena;
    if (a.version(n) === 0) {
      if (this.early !== undefined) this.touch(n);
      a.clearHashed(n);
      return n;
    }
    this.ld(n);
    this.addOrphan(n);
    const c = a.alloc(a.keys[n]!, undefined, a.height(n), a.size(n));
    a.setLeft(c, a.left(n));
    a.setRight(c, a.right(n));
    return c;
  }

  private setRec(node: number, key: string, value: string): number {
    const a = this.arena;
    this.ld(node);
    if (a.height(node) === 0) {
      const nk = a.keys[node]!;
      if (key < nk) {
        const leaf = a.alloc(key, value, 0, 1);
        const inner = a.alloc(nk, undefined, 1, 2);
        a.setLeft(inner, leaf);
        a.setRight(inner, node);
        a.setKids(inner, a.version(node) === 0 ? KID_LEFT | KID_RIGHT : KID_LEFT);
        return inner;
      }
      if (key !== nk) {
        const leaf = a.alloc(key, value, 0, 1);
        const inner = a.alloc(key, undefined, 1, 2);
        a.setLeft(inner, node);
        a.setRight(inner, leaf);
        a.setKids(inner, a.version(node) === 0 ? KID_LEFT | KID_RIGHT : KID_RIGHT);
        return inner;
      }
      this.updated = true;
      if (a.version(node) === 0) {
        // An unsaved leaf has one parent and no hash anyone kept: update it in place.
        if (this.early !== undefined) this.touch(node);
        a.vals[node] = value;
        a.clearHashed(node);
        return node;
      }
      this.addOrphan(node);
      // Same bytes: keep the old leaf's key string so the caller's copy can die young.
      return a.alloc(nk, value, 0, 1);
    }
    const n = this.mutable(node);
    // The new child is a working node (setRec never returns a saved one).
    if (key < a.keys[n]!) {
      a.setLeft(n, this.setRec(a.left(n), key, value));
      a.setKids(n, a.kids(n) | KID_LEFT);
    } else {
      a.setRight(n, this.setRec(a.right(n), key, value));
      a.setKids(n, a.kids(n) | KID_RIGHT);
    }
    if (this.updated) return n;
    return this.rebalance(n);
  }

  /** Removes `key` below `node`; when true, rmSelf is the new subtree (0 = none) and rmKey the new leftmost key to propagate. */
  private removeRec(node: number, key: string): boolean {
    const a = this.arena;
    this.ld(node);
    if (a.height(node) === 0) {
      if (key !== a.keys[node]) return false;
      this.drop(node);
      this.rmSelf = 0;
      this.rmKey = undefined;
      return true;
    }
    if (key < a.keys[node]!) {
      if (!this.removeRec(a.left(node), key)) return false;
      if (this.rmSelf === 0) {
        // The left child was the removed leaf: this node disappears, its right child moves up.
        const r = a.right(node);
        const k = a.keys[node];
        this.drop(node);
        this.rmSelf = r;
        this.rmKey = k;
        return true;
      }
      const newLeft = this.rmSelf;
      const newKey = this.rmKey;
      const n = this.mutable(node);
      a.setLeft(n, newLeft);
      this.rmSelf = this.rebalance(n);
      this.rmKey = newKey;
      return true;
    }
    if (!this.removeRec(a.right(node), key)) return false;
    if (this.rmSelf === 0) {
      const l = a.left(node);
      this.drop(node);
      this.rmSelf = l;
      this.rmKey = undefined;
      return true;
    }
    const newRight = this.rmSelf;
    const newKey = this.rmKey;
    const n = this.mutable(node);
    a.setRight(n, newRight);
    if (newKey !== undefined) a.keys[n] = newKey;
    this.rmSelf = this.rebalance(n);
    this.rmKey = undefined;
    return true;
  }

  private calcHeightAndSize(n: number): void {
    const a = this.arena;
    const l = this.ld(a.left(n));
    const r = this.ld(a.right(n));
    const lh = a.height(l);
    const rh = a.height(r);
    a.setHeight(n, (lh > rh ? lh : rh) + 1);
    a.setSize(n, a.size(l) + a.size(r));
    a.setKids(n, (a.version(l) === 0 ? KID_LEFT : 0) | (a.version(r) === 0 ? KID_RIGHT : 0));
  }

  private calcBalance(n: number): number {
    const a = this.arena;
    return a.height(this.ld(a.left(n))) - a.height(this.ld(a.right(n)));
  }

  /**
   * calcHeightAndSize(n) then balance(n) (mutable_tree.go), reading each child once: the balance
   * factor is the two heights just read (nothing changes in between).
   */
  private rebalance(n: number): number {
    const a = this.arena;
    const l = this.ld(a.left(n));
    const r = this.ld(a.right(n));
    const lh = a.height(l);
    const rh = a.height(r);
    a.setHeight(n, (lh > rh ? lh : rh) + 1);
    a.setSize(n, a.size(l) + a.size(r));
    // Children's records are in cache now: the unsaved-children bits cost no extra miss here.
    a.setKids(n, (a.version(l) === 0 ? KID_LEFT : 0) | (a.version(r) === 0 ? KID_RIGHT : 0));
    const b = lh - rh;
    if (b > 1) {
      if (this.calcBalance(l) >= 0) return this.rotateRight(n);
      a.setLeft(n, this.rotateLeft(l));
      return this.rotateRight(n);
    }
    if (b < -1) {
      if (this.calcBalance(r) <= 0) return this.rotateLeft(n);
      a.setRight(n, this.rotateRight(r));
      return this.rotateLeft(n);
    }
    return n;
  }

  private rotateRight(node: number): number {
    const a = this.arena;
    const n = this.mutable(node);
    const nn = this.mutable(a.left(n));
    a.setLeft(n, a.right(nn));
    a.setRight(nn, n);
    this.calcHeightAndSize(n);
    this.calcHeightAndSize(nn);
    return nn;
  }

  private rotateLeft(node: number): number {
    const a = this.arena;
    const n = this.mutable(node);
    const nn = this.mutable(a.right(n));
    a.setRight(n, a.left(nn));
    a.setLeft(nn, n);
    this.calcHeightAndSize(n);
    this.calcHeightAndSize(nn);
    return nn;
  }

  // ---- multistore wiring (w6): additive, kept at the end of the class ----

  /** Unloaded leaves replaced without reading them (setLatin1Exists): for tests and diagnostics. */
  leafLoadsSkipped = 0;

  /**
   * setLatin1 for a key the caller knows for certain is in the working tree (IavlTree.setLatin1
   * with `exists`): the search path of an existing key ends at its own leaf, so an unloaded leaf
   * stub there is replaced without being read (an update never changes the shape: same tree and
   * hashes). A wrong call would corrupt the tree: only from authoritative state.
   */
  setLatin1Exists(key: string, value: string): boolean {
    if (this.owner !== undefined) this.readOnly();
    const a = this.arena;
    a.epoch++;
    if (this.root === 0) {
      this.root = a.alloc(key, value, 0, 1);
      return false;
    }
    this.updated = false;
    this.root = this.setRecExists(this.root, key, value);
    return this.updated;
  }

  private setRecExists(node: number, key: string, value: string): number {
    const a = this.arena;
    if (a.height(node) < 0 && a.nonce(node) >= LEAF_NONCE_BASE) {
      this.addOrphan(node); // a stub is a saved node; its slot is freed like any orphan
      this.updated = true;
      this.leafLoadsSkipped++;
      return a.alloc(key, value, 0, 1);
    }
    if (a.height(this.ld(node)) === 0) return this.setRec(node, key, value);
    const n = this.mutable(node);
    if (key < a.keys[n]!) {
      a.setLeft(n, this.setRecExists(a.left(n), key, value));
      a.setKids(n, a.kids(n) | KID_LEFT);
    } else {
      a.setRight(n, this.setRecExists(a.right(n), key, value));
      a.setKids(n, a.kids(n) | KID_RIGHT);
    }
    if (this.updated) return n;
    return this.rebalance(n);
  }

  /** Node key of the working root ([version, nonce]; null when empty); after a save, the saved root's. */
  rootNodeKey(): [number, number] | null {
    const r = this.root;
    return r === 0 ? null : [this.arena.version(r), this.arena.nonce(r)];
  }

  /** Slot `n` loaded (a stub is filled from storage); returns it. For borrowing readers (storetree.ts). */
  loadSlot(n: number): number {
    return this.ld(n);
  }

  /** False once this view's version may have lost nodes to slot reuse (its reads would throw). */
  get readable(): boolean {
    const o = this.owner;
    return o === undefined || this.version > o.releasedThrough;
  }

  /**
   * Drops the save order recorded by the hash pass: the next save walks the tree for it (as
   * before Round 6's one-pass save). For A/B runs (treebench --order-ab) and tests.
   */
  forgetOrder(): void {
    this.orderRoot = 0;
  }
}
