// A node's underlay link impaired for a while: frames towards the node dropped, duplicated or reordered.
import type { WireImpairment } from '../adapters/adapter.ts';
import type { FaultDef } from './types.ts';

/**
 * Frames out of the node's port of the underlay bridge dropped, duplicated or reordered (wireCommands: nftables or
 * netem), in the underlay namespace podflow created (a lab file's `namespaces:`; the kernel adapter's own), and the
 * impairment removed again when healed. It acts on the frames the underlay sends towards that node: the VXLAN
 * packets from the other nodes. The wire is not modelled
 * (DATAPATH.md §6 is the encapsulation; the underlay is assumed to deliver), so the model's state does not change;
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

/** The skb mark of a frame the duplicate impairment has copied already ('pfW'). */
const COPY_MARK = '0x706657';

/** The impairments a step picks from (by `policy`, modulo). */
export const WIRE_IMPAIRMENTS: readonly Exclude<WireImpairment, 'healed'>[] = ['drop', 'duplicate', 'reorder'];

/**
 * The commands (argument lists, to run inside the underlay namespace) that impair the frames a bridge port sends
 * towards its node, and those that heal it again. Real impairments (not 100 % loss: then nothing would arrive)
 * that keep the run fast (delays of milliseconds):
 * - drop: 30 % of the frames the bridge forwards out of the port dropped (nftables, bridge family, `numgen random`);
 * - duplicate: 50 % of the frames leaving the port sent twice (nftables, netdev egress hook, `dup to` the port; the
 *   copy passes the hook again, so both are marked first and a marked frame is not copied: twice, never more — the
 *   mark does not leave the namespace, a veth into another one clears it);
 * - reorder: netem, `delay 20ms reorder 50%` (half the frames wait 20 ms, the rest overtake them).
 * Drop and duplicate use nftables rather than netem so that a kernel built without sch_netem (many VM kernels) still
 * impairs; reorder needs a delay, which only netem has: where the kernel lacks it, tc fails and the case is unknown.
 * Each table is podflow's own (`podflow_wire_<port>`), in the underlay namespace only.
 */
export function wireCommands(port: string, impairment: Exclude<WireImpairment, 'healed'>): { impair: string[][]; heal: string[][] } {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(port)) throw new Error(`wire-impaired: '${port}' is not an interface name`);
  const table = `podflow_wire_${port.replace(/[^A-Za-z0-9_]/g, '_')}`;
  switch (impairment) {
    case 'drop':
      return {
        impair: [['nft', `add table bridge ${table}; add chain bridge ${table} towards { type filter hook forward priority 0; policy accept; }; add rule bridge ${table} towards oifname "${port}" numgen random mod 100 < 30 drop`]],
        heal: [['nft', 'delete', 'table', 'bridge', table]],
      };
    case 'duplicate':
      return {
        impair: [['nft', `add table netdev ${table}; add chain netdev ${table} towards { type filter hook egress device "${port}" priority 0; policy accept; }; add rule netdev ${table} towards meta mark != ${COPY_MARK} numgen random mod 100 < 50 meta mark set ${COPY_MARK} dup to "${port}"`]],
        heal: [['nft', 'delete', 'table', 'netdev', table]],
      };
    case 'reorder':
      return { impair: [['tc', 'qdisc', 'replace', 'dev', port, 'root', 'netem', 'delay', '20ms', 'reorder', '50%']], heal: [['tc', 'qdisc', 'del', 'dev', port, 'root']] };
  }
}
