import { Counter, Histogram, Registry } from "prom-client";
import { FastCounter, FastHistogram } from "./fastmetrics";
import { AppMetrics } from "./metrics";

/** Same observations into prom-client's own metrics and ours: the scraped text must be identical. */
describe("FastHistogram / FastCounter", () => {
  const buckets = [0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5];
  const values = [0, 0.0001, 0.00011, 0.0005, 0.001, 0.3, 0.5, 1, 4.99, 5, 5.0001, 100, 1e-9, 0.1 + 0.2];

  it("labelled histogram and counter print what prom-client prints", async () => {
    const a = new Registry();
    const b = new Registry();
    const ph = new Histogram({ name: "x_seconds", help: "h", labelNames: ["method"], buckets, registers: [a] });
    const pc = new Counter({ name: "x_total", help: "c", labelNames: ["type", "result"], registers: [a] });
    const fh = new FastHistogram("x_seconds", "h", buckets, ["method"], [b]);
    const fc = new FastCounter("x_total", "c", ["type", "result"], [b]);
    expect(await b.metrics()).toBe(await a.metrics()); // nothing observed yet: no label sets listed
    // A child looked up but never used is not listed either (prom-client's labels() creates nothing).
    fh.labels({ method: "query" });
    fc.labels({ type: "recheck", result: "ok" });
    const methods = ["checkTx", "finalizeBlock", "commit"];
    values.forEach((v, i) => {
      const m = methods[i % 3]!;
      ph.labels({ method: m }).observe(v);
      fh.labels({ method: m }).observe(v);
      const l = { type: i % 2 ? "check" : "recheck", result: i % 3 ? "ok" : "rejected" };
      pc.labels(l).inc();
      fc.labels(l).inc();
    });
    pc.labels({ type: "check", result: "ok" }).inc(7);
    fc.labels({ type: "check", result: "ok" }).inc(7);
    expect(await b.metrics()).toBe(await a.metrics());
    expect(await b.getMetricsAsJSON()).toEqual(await a.getMetricsAsJSON());
    expect(() => fh.labels({ method: "x", other: "y" } as never)).toThrow();
    expect(() => fc.labels({ type: "check", result: "ok" }).inc(-1)).toThrow();
    expect(() => fh.labels({ method: "x" }).observe(NaN)).toThrow();
    a.resetMetrics();
    b.resetMetrics();
    expect(await b.metrics()).toBe(await a.metrics());
  });

  it("unlabelled histogram prints what prom-client prints, observed or not", async () => {
    const a = new Registry();
    const b = new Registry();
    const ph = new Histogram({ name: "y_seconds", help: "h", buckets: [0.0001, 0.0005, 0.1], registers: [a] });
    const fh = new FastHistogram("y_seconds", "h", [0.0001, 0.0005, 0.1], [], [b]);
    expect(await b.metrics()).toBe(await a.metrics());
    for (const v of values) {
      ph.observe(v);
      fh.observe(v);
    }
    expect(await b.metrics()).toBe(await a.metrics());
  });

  it("AppMetrics keeps the metric names, types and order", async () => {
    const m = new AppMetrics();
    const text = await m.registry.metrics();
    const types = text.split("\n").filter((l) => l.startsWith("# TYPE"));
    expect(types).toEqual([
      "# TYPE hashgrid_block_height gauge",
      "# TYPE hashgrid_block_execution_seconds histogram",
      "# TYPE hashgrid_commit_seconds histogram",
      "# TYPE hashgrid_block_txs histogram",
      "# TYPE hashgrid_txs_total counter",
      "# TYPE hashgrid_checktx_total counter",
      "# TYPE hashgrid_checktx_seconds histogram",
      "# TYPE hashgrid_abci_request_seconds histogram",
    ]);
    m.abciSeconds.labels({ method: "finalizeBlock" }).observe(0.02);
    expect(await m.registry.metrics()).toMatch(/hashgrid_abci_request_seconds_count\{method="finalizeBlock"\} 1\n/);
  });
});
