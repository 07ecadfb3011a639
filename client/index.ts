/**
 * Hashgrid client SDK: connect CosmJS to a Hashgrid node with every Hashgrid message registered.
 *
 *   import { connectSigning, walletFromMnemonic, HASHGRID } from "hashgrid/client";
 *   const wallet = await walletFromMnemonic(mnemonic);
 *   const [{ address }] = await wallet.getAccounts();
 *   const client = await connectSigning("http://localhost:26657", wallet);
 *   await client.sendTokens(address, "grid1...", [{ denom: "ugrid", amount: "1000" }], "auto");
 *
 * Nothing here is required: an unmodified SigningStargateClient works too (bank, queries); this
 * adds the Hashgrid message types and the chain's defaults (prefix, denom, gas price).
 */
import { DirectSecp256k1HdWallet, makeCosmoshubPath, type OfflineSigner } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient, type SigningStargateClientOptions } from "@cosmjs/stargate";
import { createHashgridRegistry } from "./registry";

export { createHashgridRegistry, allRegistryTypes, hashgridRegistryTypes } from "./registry";

/** Chain constants wallets need (Keplr ChainInfo fields are derived from these). */
export const HASHGRID = {
  bech32Prefix: "grid",
  baseDenom: "ugrid",
  displayDenom: "GRID",
  decimals: 6,
  coinType: 118,
  /** The devnet's CheckTx minimum; mainnet nodes choose their own. */
  defaultGasPrice: "0.0025ugrid",
  devnetChainId: "hashgrid-devnet-1",
  mainnetChainId: "hashgrid-1",
} as const;

/** A direct-signing HD wallet for `mnemonic` (accounts m/44'/118'/0'/0/i, prefix grid). */
export async function walletFromMnemonic(mnemonic: string, accounts = 1): Promise<DirectSecp256k1HdWallet> {
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, {
    prefix: HASHGRID.bech32Prefix,
    hdPaths: Array.from({ length: accounts }, (_, i) => makeCosmoshubPath(i)),
  });
}

/** A signing client with the Hashgrid registry and gas price (fee "auto" works out of the box). */
export async function connectSigning(
  rpcUrl: string,
  signer: OfflineSigner,
  options: SigningStargateClientOptions = {},
): Promise<SigningStargateClient> {
  return SigningStargateClient.connectWithSigner(rpcUrl, signer, {
    registry: createHashgridRegistry(),
    gasPrice: GasPrice.fromString(HASHGRID.defaultGasPrice),
    ...options,
  });
}

/** A read-only client. */
export async function connectQuery(rpcUrl: string): Promise<StargateClient> {
  return StargateClient.connect(rpcUrl);
}

/** "1.5" GRID → 1500000n ugrid (exact decimal arithmetic). */
export function gridToUgrid(grid: string): bigint {
  const m = /^([0-9]+)(?:\.([0-9]{1,6}))?$/.exec(grid.trim());
  if (!m) throw new Error(`"${grid}" is not a GRID amount with at most 6 decimals`);
  return BigInt(m[1]) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

/** 1500000n ugrid → "1.5" GRID. */
export function ugridToGrid(ugrid: bigint): string {
  const int = ugrid / 1_000_000n;
  const frac = (ugrid % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return frac ? `${int}.${frac}` : int.toString();
}
