/**
 * Standalone entry for the node commands (`tsx chain/node/main.ts start --home ...`); the full
 * `hashgrid` CLI (client/cli/main.ts) mounts the same commands.
 */
import { Command } from "commander";
import { registerNodeCommands, runProgram } from "./commands";

const program = new Command("hashgrid-node").description("Hashgrid node: ABCI app, genesis, devnet and localnet");
registerNodeCommands(program);
runProgram(program);
