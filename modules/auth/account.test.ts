/** The hand-written account codec (hot path) against cosmjs-types, including its fast decode path. */
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { createHash } from "node:crypto";
import { toBech32 } from "../../chain/crypto/address";
import { BASE_ACCOUNT_TYPE, SECP256K1_PUBKEY_TYPE, decodeAccount, decodeAccountLatin1, encodeAccount, encodeAccountScratch, type Account } from "./account";
import { AuthKeeper } from "./keeper";
import { accountKey } from "./keys";
import { BasicGasMeter, DEFAULT_STORE_GAS, GasKVStore } from "../../chain/app/context";
import { MemStore, newMemDisk } from "../../test/helpers/memStore";
import { CacheKV } from "../../chain/store/cachekv";
import { BytesOnly } from "../../chain/store/testutil";

const bytes = (seed: string, n: number) => Uint8Array.from({ length: n }, (_, i) => createHash("sha256").update(`${seed}/${i >> 5}`).digest()[i & 31]);
const u64s = [0n, 1n, 127n, 128n, 16_383n, 16_384n, 2n ** 31n - 1n, 2n ** 35n, 2n ** 48n + 7n, 2n ** 49n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];

function cosmjsEncode(a: Account): Uint8Array {
  return Any.encode({
    typeUrl: BASE_ACCOUNT_TYPE,
    value: BaseAccount.encode({
      address: toBech32(a.address),
      pubKey: a.pubKey ? { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: a.pubKey }).finish() } : undefined,
      accountNumber: a.accountNumber,
      sequence: a.sequence,
    }).finish(),
  }).finish();
}

test("encodeAccount equals cosmjs-types; decode with and without the key's address agree", () => {
  let n = 0;
  for (const [i, num] of u64s.entries()) {
    for (const [j, seq] of u64s.entries()) {
      if (num === 2n ** 31n || seq === 2n ** 31n) continue; // cosmjs-types' own 2^31 bug (see chain/tx/pb.test.ts)
      const addr = bytes(`a${i}/${j}`, (i + j) % 3 === 0 ? 32 : 20);
      const pubKey = (i + j) % 2 ? Uint8Array.from([2, ...bytes(`pk${i}/${j}`, 32)]) : undefined;
      const acc: Account = { address: addr, pubKey, accountNumber: num, sequence: seq };
      const enc = encodeAccount(acc);
      expect(Buffer.from(enc).toString("hex")).toBe(Buffer.from(cosmjsEncode(acc)).toString("hex"));
      const fast = decodeAccount(enc, addr);
      const generic = decodeAccount(enc);
      expect(fast).toEqual(acc);
      expect(generic).toEqual(acc);
      expect(decodeAccountLatin1(Buffer.from(enc).toString("latin1"), addr)).toStrictEqual({ ...generic, address: addr });
      n++;
    }
  }
  expect(n).toBeGreaterThan(100);
});

test("non-canonical stored bytes take the generic path with the same result", () => {
  const addr = bytes("x", 20);
  const pk = Uint8Array.from([3, ...bytes("y", 32)]);
  const acc: Account = { address: addr, pubKey: pk, accountNumber: 9n, sequence: 4n };
  const b = BaseAccount.encode({ address: toBech32(addr), pubKey: { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: pk }).finish() }, accountNumber: 9n, sequence: 4n }).finish();
  // sequence before account_number, a repeated sequence, an unknown field, an empty pubkey value:
  const variants = [
    Buffer.concat([b.subarray(0, b.length - 4), Buffer.from([0x20, 4, 0x18, 9])]),
    Buffer.concat([b, Buffer.from([0x20, 5])]),
    Buffer.concat([b, Buffer.from([0x28, 1])]),
    BaseAccount.encode({ address: toBech32(addr), pubKey: { typeUrl: SECP256K1_PUBKEY_TYPE, value: new Uint8Array() }, accountNumber: 1n, sequence: 0n }).finish(),
    BaseAccount.encode({ address: toBech32(addr), pubKey: { typeUrl: "/other.Key", value: new Uint8Array([1]) }, accountNumber: 1n, sequence: 0n }).finish(),
  ];
  for (const v of variants) {
    const stored = Any.encode({ typeUrl: BASE_ACCOUNT_TYPE, value: v }).finish();
    expect(decodeAccount(stored, addr)).toEqual(decodeAccount(stored));
    expect(decodeAccountLatin1(Buffer.from(stored).toString("latin1"), addr)).toEqual(decodeAccount(stored));
  }
  expect(decodeAccount(Any.encode({ typeUrl: BASE_ACCOUNT_TYPE, value: variants[1] }).finish(), addr).sequence).toBe(5n);
  expect(decodeAccount(encodeAccount(acc), addr)).toEqual(acc);
});

test("setAccount's shared encode buffer: every stored account keeps its own bytes", () => {
  // encodeAccountScratch reuses one buffer; the keeper relies on the store copying values on set().
  const bottom = new CacheKV(new CacheKV({} as never));
  const middle = new CacheKV(new BytesOnly(bottom)); // writes down through the plain byte path
  const store = new CacheKV(middle);
  const ctx = { store: () => store } as never;
  const keeper = new AuthKeeper();
  const accs: Account[] = u64s.slice(0, 10).map((n, i) => ({
    address: bytes(`s${i}`, 20),
    pubKey: i % 2 ? Uint8Array.from([2, ...bytes(`spk${i}`, 32)]) : undefined,
    accountNumber: n,
    sequence: BigInt(i),
  }));
  accs.forEach((a, i) => keeper.setAccount(ctx, a, i % 3 ? toBech32(a.address) : undefined));
  store.write();
  middle.write();
  expect(bottom.size).toBe(accs.length);
  for (const a of accs) {
    expect(Buffer.from(encodeAccountScratch(a)).toString("hex")).toBe(Buffer.from(cosmjsEncode(a)).toString("hex"));
    expect(keeper.getAccount(ctx, a.address)).toEqual(a);
  }
});

test("the keeper's latin1 read path (gas-metered store) returns the same account for the same gas as the byte path", () => {
  const keeper = new AuthKeeper();
  const base = new MemStore(["acc"], newMemDisk()).branch();
  const raw = base.getStore("acc");
  const plainCtx = { store: () => raw } as never;
  const accs: Account[] = u64s.slice(0, 8).map((n, i) => ({ address: bytes(`g${i}`, 20), pubKey: i % 2 ? Uint8Array.from([3, ...bytes(`gpk${i}`, 32)]) : undefined, accountNumber: n, sequence: 2n * BigInt(i) }));
  accs.forEach((a) => keeper.setAccount(plainCtx, a));
  for (const a of [...accs, { address: bytes("absent", 20) } as Account]) {
    const m1 = new BasicGasMeter(0n);
    const viaGas = keeper.getAccountSized({ store: () => new GasKVStore(base.branch().getStore("acc"), m1, DEFAULT_STORE_GAS) } as never, a.address);
    const bytesRead = raw.get(accountKey(a.address));
    const m2 = new BasicGasMeter(0n);
    const plain = new GasKVStore(raw, m2, DEFAULT_STORE_GAS).get(accountKey(a.address));
    expect(viaGas?.account).toEqual(bytesRead ? decodeAccount(bytesRead, a.address) : undefined);
    expect(viaGas?.size).toBe(plain?.length);
    expect(m1.consumed()).toBe(m2.consumed());
  }
});
