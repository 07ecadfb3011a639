/** bank params (cosmos.bank.v1beta1.Params). Per-denom send flags live in their own keys (SDK ≥ 0.47). */
import { Params } from "cosmjs-types/cosmos/bank/v1beta1/bank";

export { Params };

export const DEFAULT_PARAMS: Params = { sendEnabled: [], defaultSendEnabled: true };
