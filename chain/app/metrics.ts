/**
 * Prometheus metrics of the app (prom-client). One Registry per App so tests can run several.
 * Served by chain/node (http `/metrics`). Wall-clock timings here never feed state.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { FastCounter, FastHistogram } from "./fastmetrics";

export class AppMetrics {
  readonly registry = new Registry();
  readonly height: Gauge;
  readonly blockSeconds: Histogram;
  readonly commitSeconds: Histogram;
  readonly txsPerBlock: Histogram;
  readonly txsTotal: Counter<"result">;
  // Per-request metrics (every CheckTx, every ABCI request): plain numbers, read by prom-client on scrape.
  readonly checkTxTotal: FastCounter;
  readonly checkTxSeconds: FastHistogram;
  readonly abciSeconds: FastHistogram;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.height = new Gauge({ name: "hashgrid_block_height", help: "Last committed block height", registers });
    this.blockSeconds = new Histogram({
      name: "hashgrid_block_execution_seconds",
      help: "FinalizeBlock execution time",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: "hashgrid_commit_seconds",
      help: "Commit (persist) time",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.txsPerBlock = new Histogram({
      name: "hashgrid_block_txs",
      help: "Transactions per block",
      buckets: [0, 1, 5, 10, 50, 100, 500, 1000, 5000],
      registers,
    });
    this.txsTotal = new Counter({ name: "hashgrid_txs_total", help: "Transactions executed in blocks", labelNames: ["result"], registers });
    this.checkTxTotal = new FastCounter(
      "hashgrid_checktx_total",
      "CheckTx requests (rate: rate(hashgrid_checktx_total[1m]))",
      ["type", "result"],
      registers,
    );
    this.checkTxSeconds = new FastHistogram("hashgrid_checktx_seconds", "CheckTx latency", [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1], [], registers);
    this.abciSeconds = new FastHistogram(
      "hashgrid_abci_request_seconds",
      "ABCI request handling time by method",
      [0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5],
      ["method"],
      registers,
    );
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "hashgrid_process_" });
  }
}
