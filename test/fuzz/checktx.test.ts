/**
 * Fuzz: random and mutated tx byte strings through the App's CheckTx (strict decoder + ante).
 * No exception may escape and every tx must get a code; every rejection must be a registered
 * (codespace, code) — never the internal-error code 1. Seeded and reproducible:
 * FUZZ_ITERATIONS (default 100,000) and FUZZ_SEED override.
 */
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { MsgMultiSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { registeredErrors } from "../../chain/app/errors";
import { CHAIN_ID, buildSignedTx, keyFromSeed, msgSend, newTestChain } from "../helpers/txkit";

const ITER = Number(process.env.FUZZ_ITERATIONS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);

/** xorshift32: deterministic test randomness. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { next, int: (n: number) => next() % n, bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v > 127) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

jest.setTimeout(600_000);

test(`CheckTx survives ${ITER} random and mutated txs (seed ${SEED})`, () => {
  const alice = keyFromSeed("fuzz-alice");
  const bob = keyFromSeed("fuzz-bob");
  const c = newTestChain([{ address: alice.address, amount: 10n ** 12n }]);
  const r = rng(SEED);
  const seeds = [
    buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 1n)], chainId: CHAIN_ID, accountNumber: 4n, sequence: 0n }),
    buildSignedTx({ key: alice, msgs: [msgSend(alice.address, bob.address, 1n), msgSend(alice.address, bob.address, 2n)], chainId: CHAIN_ID, accountNumber: 4n, sequence: 0n, memo: "fuzz" }),
    buildSignedTx({
      key: alice,
      msgs: [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
          value: MsgMultiSend.encode({ inputs: [{ address: alice.address, coins: [{ denom: "ugrid", amount: "2" }] }], outputs: [{ address: bob.address, coins: [{ denom: "ugrid", amount: "2" }] }] }).finish(),
        },
      ],
      chainId: CHAIN_ID,
      accountNumber: 4n,
      sequence: 0n,
      timeoutHeight: 100n,
    }),
  ].map((t) => t.bytes);
  const known = new Set(registeredErrors().map((e) => `${e.codespace}/${e.code}`));
  const codes = new Map<string, number>();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITER; i++) {
    const base = seeds[r.int(seeds.length)];
    let tx: Uint8Array;
    switch (r.int(7)) {
      case 0: // random bytes
        tx = r.bytes(r.int(300));
        break;
      case 1: {
        // byte flips
        tx = Uint8Array.from(base);
        const n = 1 + r.int(4);
        for (let k = 0; k < n; k++) tx[r.int(tx.length)] ^= 1 << r.int(8);
        break;
      }
      case 2: {
        // insert random bytes
        const at = r.int(base.length + 1);
        tx = Uint8Array.from([...base.subarray(0, at), ...r.bytes(1 + r.int(8)), ...base.subarray(at)]);
        break;
      }
      case 3: // truncate
        tx = base.subarray(0, r.int(base.length));
        break;
      case 4: {
        // delete a range
        const a = r.int(base.length);
        tx = Uint8Array.from([...base.subarray(0, a), ...base.subarray(a + 1 + r.int(6))]);
        break;
      }
      case 5: {
        // append a random well-formed field (any number / wire type)
        const num = 1 + r.int(r.int(2) ? 16 : 4096);
        const wt = [0, 1, 2, 5][r.int(4)];
        const payload = wt === 0 ? varint(r.int(1 << 30)) : wt === 1 ? [...r.bytes(8)] : wt === 5 ? [...r.bytes(4)] : (() => { const b = r.bytes(r.int(20)); return [...varint(b.length), ...b]; })();
        tx = Uint8Array.from([...base, ...varint(num * 8 + wt), ...payload]);
        break;
      }
      default: {
        // splice two seeds
        const o = seeds[r.int(seeds.length)];
        const a = r.int(base.length);
        tx = Uint8Array.from([...base.subarray(0, a), ...o.subarray(r.int(o.length))]);
      }
    }
    let res;
    try {
      res = c.app.checkTx({ tx, type: CheckTxType.NEW });
    } catch (e) {
      throw new Error(`iteration ${i}: CheckTx threw ${(e as Error).message} for tx ${Buffer.from(tx).toString("hex")}`);
    }
    if (typeof res.code !== "number") throw new Error(`iteration ${i}: no code`);
    if (res.code !== 0) {
      const k = `${res.codespace}/${res.code}`;
      if (!known.has(k)) throw new Error(`iteration ${i}: unregistered code ${k} (${res.log}) for tx ${Buffer.from(tx).toString("hex")}`);
      codes.set(k, (codes.get(k) ?? 0) + 1);
    } else codes.set("ok", (codes.get("ok") ?? 0) + 1);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  // eslint-disable-next-line no-console
  console.log(`fuzz: ${ITER} txs in ${secs.toFixed(1)} s (${Math.round(ITER / secs)}/s); codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
  expect(codes.get("sdk/1")).toBeUndefined();
});
