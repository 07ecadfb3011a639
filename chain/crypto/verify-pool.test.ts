/** The two-thread batch verifier agrees with the single-thread verifier item by item. */
import { sha256 } from "./hash";
import { compressedPubkey, getVerifier, signDigest } from "./secp256k1";
import { VerifyPool } from "./verify-pool";

test("verifyBatch = verify for valid, forged and malformed items, in order", async () => {
  const v = getVerifier();
  const pool = new VerifyPool(v);
  const priv = new Uint8Array(32).fill(9);
  const pub = compressedPubkey(priv);
  const items = Array.from({ length: 300 }, (_, i) => {
    const digest = sha256(new Uint8Array([i & 255, i >> 8]));
    return { sig: signDigest(digest, priv), digest, pubkey: pub };
  });
  items[3] = { ...items[3], digest: items[4].digest }; // signature over another digest
  items[10] = { ...items[10], sig: items[10].sig.subarray(0, 63) }; // malformed
  items[11] = { ...items[11], pubkey: new Uint8Array(33) }; // not a key
  items[12] = { ...items[12], digest: new Uint8Array(31) };
  const got = pool.verifyBatch(items);
  expect(got).toEqual(items.map((it) => v.verify(it.sig, it.digest, it.pubkey)));
  expect(got.filter((x) => !x).length).toBe(4);
  expect(pool.verifyBatch([])).toEqual([]);
  await pool.close();
});
