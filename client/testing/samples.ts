/** Test helpers: a fully populated instance of any Hashgrid Msg (from the generated samples). */
import type { HashgridMsgInfo } from "../../proto/gen/hashgrid";
import { SAMPLE_ADDRESS, hashgridMsgSamples } from "../../proto/gen/hashgrid/samples";

/** The sample of `m` decoded with its codec; every address field is replaced by `address`. */
export function sampleMsg(m: HashgridMsgInfo, address: string = SAMPLE_ADDRESS): any {
  const json = hashgridMsgSamples[m.typeUrl];
  if (!json) throw new Error(`no sample for ${m.typeUrl}`);
  const replaced = JSON.parse(JSON.stringify(json).split(SAMPLE_ADDRESS).join(address));
  return m.type.fromJSON(replaced);
}
