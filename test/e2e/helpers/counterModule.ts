/**
 * E2E-only module (loaded with `start --dev-extra-modules`): writes the height and block time in
 * EndBlock so that the AppHash changes every block, which makes crash/replay tests meaningful
 * before the real modules exist. Query: /hashgrid.e2e.v1.Query/Count → decimal height bytes.
 */
import type { Module } from "../../../chain/app/types";

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");

export const counterModule: Module = {
  name: "e2ecounter",
  endBlock(ctx) {
    const s = ctx.store("e2ecounter");
    s.set(enc("n"), enc(ctx.header.height.toString()));
    s.set(enc("t"), enc(`${ctx.header.time.seconds}.${ctx.header.time.nanos}`));
  },
  queries: {
    "/hashgrid.e2e.v1.Query/Count": (ctx) => ctx.store("e2ecounter").get(enc("n")) ?? enc("0"),
  },
};

export const modules: Module[] = [counterModule];
