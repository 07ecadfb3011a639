/**
 * The committed generated output (proto/gen, docs/api) must equal a fresh `npm run proto`:
 * regenerates into a temporary directory (buf + ts-proto from node_modules, no network) and
 * compares byte for byte.
 */
import { checkGenerated } from "./tools/generate";

test("proto/gen and docs/api are up to date (run `npm run proto` if this fails)", () => {
  expect(checkGenerated()).toEqual([]);
}, 120_000);
