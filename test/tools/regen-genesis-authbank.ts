/** Rewrites the auth and bank sections of the repository's genesis.json from the modules' defaults. */
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultAuthGenesis } from "../../modules/auth/genesis";
import { defaultBankGenesis } from "../../modules/bank/genesis";

const f = path.resolve(__dirname, "..", "..", "genesis.json");
const g = JSON.parse(fs.readFileSync(f, "utf8"));
g.app_state.auth = defaultAuthGenesis();
g.app_state.bank = defaultBankGenesis();
fs.writeFileSync(f, JSON.stringify(g, null, 2) + "\n");
console.log(`wrote auth and bank defaults into ${f}`);
