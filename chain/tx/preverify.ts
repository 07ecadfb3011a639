/**
 * Cold-path speed-up for FinalizeBlock: before the block's txs run one by one, verify the
 * signatures the node has not verified yet (txs it never saw in CheckTx) on
 * two threads at once, and put the successes in the SignatureCache. The ante step then finds them
 * there; it still runs every other check, charges the same gas, and verifies whatever is missing
 * (a signer created earlier in the same block, a key it only learns in the block, a failure here).
 * So this is only a cache fill: it reads committed state without gas and never decides anything.
 */
import type { TxEnv } from "../app/types";
import type { VerifyItem, VerifyPool } from "../crypto/verify-pool";
import { decodeAccount } from "../../modules/auth/account";
import { STORE_NAME as AUTH_STORE, accountKey } from "../../modules/auth/keys";
import { memoHashHex, memoSigners } from "./ante";
import type { DecodedTx } from "./decode";
import type { SignatureCache } from "./sigcache";
import { SIGN_MODE_DIRECT, directSignDigest } from "./signing";

export function preverifyBlock(
  env: TxEnv,
  txs: readonly Uint8Array[],
  decode: (tx: Uint8Array) => DecodedTx,
  cache: SignatureCache,
  pool: VerifyPool,
): { checked: number; cached: number } {
  const items: VerifyItem[] = [];
  const keys: [string, bigint, Uint8Array][] = [];
  const auth = env.store.getStore(AUTH_STORE);
  for (const raw of txs) {
    let tx: DecodedTx;
    try {
      tx = decode(raw);
    } catch {
      continue; // the ante path reports it
    }
    const hashHex = memoHashHex(tx);
    if (cache.seenTx(hashHex)) continue; // verified in CheckTx: nothing to gain
    let signers: readonly Uint8Array[];
    try {
      signers = memoSigners(tx).bytes;
    } catch {
      continue;
    }
    const infos = tx.authInfo.signerInfos;
    for (let i = 0; i < signers.length && i < infos.length; i++) {
      const sig = tx.signatures[i];
      if (!sig || infos[i].modeInfo?.single?.mode !== SIGN_MODE_DIRECT) continue;
      const v = auth.get(accountKey(signers[i]));
      if (!v) continue;
      const acc = decodeAccount(v, signers[i]);
      const pk = acc.pubKey ?? tx.pubkeys[i];
      if (!pk) continue;
      if (cache.has(hashHex, acc.accountNumber, pk)) continue;
      items.push({ sig, digest: directSignDigest(tx.bodyBytes, tx.authInfoBytes, env.header.chainId, acc.accountNumber), pubkey: pk });
      keys.push([hashHex, acc.accountNumber, pk]);
    }
  }
  const ok = pool.verifyBatch(items);
  let cached = 0;
  for (let i = 0; i < ok.length; i++) {
    if (ok[i]) {
      cache.add(...keys[i]);
      cached++;
    }
  }
  return { checked: items.length, cached };
}
