/** Temp dirs for simulation runs (real LevelDB), removed by `cleanup()`. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export class TempDirs {
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-sim-"));
  private n = 0;
  next(label: string): string {
    return path.join(this.root, `${this.n++}-${label.replace(/[^a-zA-Z0-9_-]/g, "_")}`);
  }
  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
