/**
 * Structured logs (pino). Readable in a terminal (pino-pretty, synchronous so nothing is lost on
 * exit), JSON lines when asked (`--log-format json` / HASHGRID_LOG_FORMAT=json) or when stdout
 * is not a TTY and no format was given.
 */
import pino from "pino";
import pretty from "pino-pretty";

export type LogFormat = "pretty" | "json";

export interface LogOptions {
  readonly level?: string;
  readonly format?: LogFormat;
  readonly name?: string;
  /** Write to this fd instead of stdout (1). */
  readonly destination?: number | string;
}

export function createLogger(o: LogOptions = {}): pino.Logger {
  const level = o.level ?? process.env.HASHGRID_LOG_LEVEL ?? "info";
  const envFormat = process.env.HASHGRID_LOG_FORMAT as LogFormat | undefined;
  const format: LogFormat = o.format ?? envFormat ?? (process.stdout.isTTY ? "pretty" : "json");
  const base = { name: o.name ?? "hashgrid" };
  if (format === "json") {
    return pino({ level, base }, pino.destination({ dest: o.destination ?? 1, sync: true }));
  }
  const stream = pretty({
    colorize: process.stdout.isTTY && o.destination === undefined,
    sync: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    destination: o.destination ?? 1,
  });
  return pino({ level, base }, stream);
}
