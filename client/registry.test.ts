import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, decodeTxRaw, makeAuthInfoBytes, makeSignDoc, encodePubkey } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { makeSignBytes } from "@cosmjs/proto-signing";
import { allRegistryTypes, createHashgridRegistry, hashgridMsgs, hashgridQueries } from "./registry";
import { sampleMsg } from "./testing/samples";

const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";

describe("registry", () => {
  const registry = createHashgridRegistry();

  test("covers every Hashgrid Msg exactly once, and nothing collides with the SDK types", () => {
    const urls = allRegistryTypes.map(([u]) => u);
    expect(new Set(urls).size).toBe(urls.length);
    expect(hashgridMsgs.length).toBeGreaterThanOrEqual(60);
    for (const m of hashgridMsgs) {
      expect(registry.lookupType(m.typeUrl)).toBe(m.type);
      expect(m.typeUrl).toMatch(/^\/hashgrid\.[a-z]+\.v1\.Msg[A-Za-z]+$/);
      expect(m.responseTypeUrl).toBe(`${m.typeUrl}Response`);
    }
    expect(registry.lookupType("/cosmos.slashing.v1beta1.MsgUnjail")).toBeDefined();
    expect(registry.lookupType("/cosmos.gov.v1.MsgVoteWeighted")).toBeDefined();
  });

  test.each(hashgridMsgs.map((m) => [m.typeUrl, m] as const))("%s encodes/decodes through the registry", (typeUrl, m) => {
    const value = sampleMsg(m);
    const any = registry.encodeAsAny({ typeUrl, value });
    expect(any.typeUrl).toBe(typeUrl);
    const decoded = registry.decode(any);
    expect(decoded).toEqual(m.type.fromPartial(value));
    // the signer field holds the sample address
    expect((decoded as Record<string, unknown>)[snakeToCamel(m.signer)]).toMatch(/^grid1/);
    // JSON is snake_case and round-trips
    const json = m.type.toJSON(decoded) as Record<string, unknown>;
    expect(Object.keys(json)).toContain(m.signer);
    expect(m.type.fromJSON(json)).toEqual(decoded);
  });

  test("every Msg is signed into a TxRaw with DirectSecp256k1HdWallet and decoded back", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "grid" });
    const [account] = await wallet.getAccounts();
    const address = account!.address;
    expect(address).toMatch(/^grid1/);
    const messages = hashgridMsgs.map((m) => ({ typeUrl: m.typeUrl, value: sampleMsg(m, address) }));
    const bodyBytes = registry.encodeTxBody({ messages, memo: "hashgrid registry test" });
    const pubkey = encodePubkey(encodeSecp256k1Pubkey(account!.pubkey));
    const authInfoBytes = makeAuthInfoBytes([{ pubkey, sequence: 3 }], [{ denom: "ugrid", amount: "5000" }], 2_000_000, undefined, undefined);
    const signDoc = makeSignDoc(bodyBytes, authInfoBytes, "hashgrid-devnet-1", 7);
    const { signed, signature } = await wallet.signDirect(address, signDoc);
    const txRaw = TxRaw.fromPartial({
      bodyBytes: signed.bodyBytes,
      authInfoBytes: signed.authInfoBytes,
      signatures: [fromBase64(signature.signature)],
    });
    const txBytes = TxRaw.encode(txRaw).finish();

    // Decode as a node would: TxRaw -> body -> every Any through the registry.
    const decodedTx = decodeTxRaw(txBytes);
    expect(decodedTx.body.memo).toBe("hashgrid registry test");
    expect(decodedTx.body.messages.map((a) => a.typeUrl)).toEqual(hashgridMsgs.map((m) => m.typeUrl));
    decodedTx.body.messages.forEach((any, i) => {
      const m = hashgridMsgs[i]!;
      expect(registry.decode(any)).toEqual(m.type.fromPartial(messages[i]!.value));
    });
    // body bytes re-encode identically (deterministic encoding)
    expect(TxBody.encode(TxBody.decode(txRaw.bodyBytes)).finish()).toEqual(txRaw.bodyBytes);

    // The signature verifies over sha256(SignDoc) with the account's key.
    const signBytes = makeSignBytes(makeSignDoc(txRaw.bodyBytes, txRaw.authInfoBytes, "hashgrid-devnet-1", 7));
    const ok = await Secp256k1.verifySignature(
      Secp256k1Signature.fromFixedLength(txRaw.signatures[0]!),
      sha256(signBytes),
      account!.pubkey,
    );
    expect(ok).toBe(true);
    expect(toBase64(txRaw.signatures[0]!)).toBe(signature.signature);
  });

  test("every Query method has an ABCI path and codecs", () => {
    const paths = hashgridQueries.map((q) => q.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const q of hashgridQueries) {
      expect(q.path).toMatch(/^\/hashgrid\.[a-z]+\.v1\.Query\/[A-Z][A-Za-z]+$/);
      const req = q.requestType.fromPartial({});
      expect(q.requestType.decode(q.requestType.encode(req).finish())).toEqual(req);
    }
  });
});

function snakeToCamel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
