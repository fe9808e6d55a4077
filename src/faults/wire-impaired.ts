// A node's underlay link impaired for a while: frames towards the node dropped, duplicated or reordered.
import type { WireImpairment } from '../adapters/adapter.ts';
import type { FaultDef } from './types.ts';

/**
 * Frames out of the node's port of the underlay bridge dropped, duplicated or reordered (wireCommands: nftables or
 * netem), in the underlay namespace podflow created (a lab file's `namespaces:`; the kernel adapter's own), and the
 * impairment removed again when healed. It acts on the frames the underlay sends towards that node: the VXLAN
 * packets from the other nodes. The wire is not modelled
 * (docs/datapath.md §6 is the encapsulation; the underlay is assumed to deliver), so the model's state does not change;
 * while it lasts the property judges no packet (one may be lost or arrive twice), and a connection that sent a
 * packet meanwhile is tainted — its sessions may differ from the model's. Once healed, new connections get the
 * policy verdict and the data path is as fresh (recovery).
 */
export const wireImpaired: FaultDef = {
  id: 'wire-impaired',
  description: "a node's underlay link drops, duplicates or reorders frames until healed (nftables, netem)",
  vpp: 'none on VPP: in the underlay namespace, nftables drops 30 % or duplicates 50 % of the frames out of the node\'s port, or tc netem delay 20ms reorder 50%; the table or qdisc deleted to heal',
  during: 'packets crossing to that node may be lost, duplicated or late: not judged; connections that sent meanwhile are not compared with the model afterwards',
  after: 'new connections get the policy verdict; the healed data path is as a fresh one',
  cites: ['§6', 'I10'],
};


/** The impairments a step picks from (by `policy`, modulo). */
export const WIRE_IMPAIRMENTS: readonly Exclude<WireImpairment, 'healed'>[] = ['drop', 'duplicate', 'reorder'];
