import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cometDbBackend } from "./cometbft";

// cometDbBackend reads the build settings Go embeds in a binary (`go version -m` prints the same lines).
describe("cometDbBackend", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-cometbin-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string, modinfo: string): string => {
    const p = path.join(dir, name);
    // Module info sits between binary bytes; the lines are "key\tvalue\n".
    fs.writeFileSync(p, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), Buffer.from(modinfo, "latin1"), Buffer.from([0, 0xff, 3])]));
    return p;
  };

  test("a binary built with -tags pebbledb gets pebbledb", () => {
    expect(cometDbBackend(fake("peb", "path\tgithub.com/cometbft/cometbft/cmd/cometbft\nbuild\t-buildmode=exe\nbuild\t-tags=pebbledb\nbuild\tCGO_ENABLED=1\n"))).toBe("pebbledb");
    expect(cometDbBackend(fake("peb2", "path\tx\nbuild\t-tags=netgo,pebbledb,ledger\nbuild\tGOOS=linux\n"))).toBe("pebbledb");
  });

  test("other tags, no tags, or no binary: goleveldb (CometBFT's default)", () => {
    expect(cometDbBackend(fake("plain", "path\tgithub.com/cometbft/cometbft/cmd/cometbft\nbuild\t-buildmode=exe\nbuild\tCGO_ENABLED=1\n"))).toBe("goleveldb");
    expect(cometDbBackend(fake("other", "path\tx\nbuild\t-tags=pebbledbx,rocksdb\n"))).toBe("goleveldb");
    // "pebbledb" elsewhere in the binary (a package path, a string) is not a build tag.
    expect(cometDbBackend(fake("mention", "github.com/cometbft/cometbft-db/pebbledb\nbuild\t-buildmode=exe\n"))).toBe("goleveldb");
    expect(cometDbBackend(path.join(dir, "missing"))).toBe("goleveldb");
  });
});
