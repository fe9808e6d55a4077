// What the catalogue says about a fault: its id (the adapters' Fault), what it does, and what the model expects
// during and after it, citing the design (docs/datapath.md). Plain data: the CLI lists it, the README's table copies it.
import type { FaultId } from '../adapters/adapter.ts';

export interface FaultDef {
  id: FaultId;
  /** one line: what happens to the data path */
  description: string;
  /** the operator's or agent's command on a VPP node that does it */
  vpp: string;
  /** what the model expects while the fault lasts (every fault completes within one call: see Fault) */
  during: string;
  /** what the model expects once it has completed, and why (docs/datapath.md sections) */
  after: string;
  /** the docs/datapath.md sections the expectation rests on */
  cites: string[];
}
