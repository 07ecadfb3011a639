import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { secp256k1 } from "@noble/curves/secp256k1.js";

test("toolchain loads ESM and native deps", async () => {
  const w = await DirectSecp256k1HdWallet.generate(12, { prefix: "grid" });
  const [a] = await w.getAccounts();
  expect(a.address.startsWith("grid1")).toBe(true);
  expect(typeof secp256k1.verify).toBe("function");
});
