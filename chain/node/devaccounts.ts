/**
 * Dev accounts of a devnet/localnet: accounts 0–9 of m/44'/118'/0'/0/i with prefix `grid`, from
 * HASHGRID_DEV_MNEMONIC or DEV_MNEMONIC below.
 *
 * DEV_MNEMONIC IS PUBLIC AND INSECURE: anyone can spend what its accounts hold. Use it only on
 * local test networks.
 */
import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";

export const DEV_MNEMONIC =
  "save surface behave victory armed ring response fat correct vocal unfair neither orange used pet smart smile stuff ivory tip loan aerobic replace zoo";

export const BECH32_PREFIX = "grid";
export const BASE_DENOM = "ugrid";
/** 1,000,000 GRID per dev account. */
export const DEV_ACCOUNT_BALANCE = 1_000_000_000_000n;

export interface DevAccount {
  readonly index: number;
  readonly address: string;
  readonly hdPath: string;
}

export function devMnemonic(): string {
  return (process.env.HASHGRID_DEV_MNEMONIC?.trim() || DEV_MNEMONIC).trim();
}

export async function deriveDevAccounts(mnemonic: string = devMnemonic(), count = 10): Promise<DevAccount[]> {
  const hdPaths = Array.from({ length: count }, (_, i) => makeCosmoshubPath(i));
  let wallet: DirectSecp256k1HdWallet;
  try {
    wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { hdPaths, prefix: BECH32_PREFIX });
  } catch (e) {
    throw new Error(`HASHGRID_DEV_MNEMONIC is not a valid BIP-39 mnemonic (${(e as Error).message}); unset it to use the documented dev mnemonic`);
  }
  const accounts = await wallet.getAccounts();
  return accounts.map((a, i) => ({ index: i, address: a.address, hdPath: `m/44'/118'/0'/0/${i}` }));
}
