// A node's underlay link impaired for a while by netem: frames towards the node dropped, duplicated or reordered.
import type { WireImpairment } from '../adapters/adapter.ts';
import type { FaultDef } from './types.ts';

/**
 * `tc qdisc replace dev <underlay port of the node> root netem …` in the underlay namespace podflow created (a lab
 * file's `namespaces:`; the kernel adapter's own), removed again (`tc qdisc del … root`) when healed. It acts on the
 * frames the underlay sends towards that node: the VXLAN packets from the other nodes. The wire is not modelled
 * (DATAPATH.md §6 is the encapsulation; the underlay is assumed to deliver), so the model's state does not change;
 * while it lasts the property judges no packet (one may be lost or arrive twice), and a connection that sent a
 * packet meanwhile is tainted — its sessions may differ from the model's. Once healed, new connections get the
 * policy verdict and the data path is as fresh (recovery).
 */
export const wireImpaired: FaultDef = {
  id: 'wire-impaired',
  description: "a node's underlay link drops, duplicates or reorders frames until healed (netem)",
  vpp: 'none on VPP: tc qdisc replace dev <underlay port> root netem loss 30% | duplicate 50% | delay 20ms reorder 50% (underlay namespace); tc qdisc del dev <underlay port> root',
  during: 'packets crossing to that node may be lost, duplicated or late: not judged; connections that sent meanwhile are not compared with the model afterwards',
  after: 'new connections get the policy verdict; the healed data path is as a fresh one',
  cites: ['§6', 'I10'],
};

/**
 * The netem parameters of each impairment: a real impairment (not 100 % loss: then nothing would arrive) that
 * keeps the run fast (delays of milliseconds, not seconds).
 */
export const NETEM_ARGS: Record<Exclude<WireImpairment, 'healed'>, string[]> = {
  drop: ['loss', '30%'],
  duplicate: ['duplicate', '50%'],
  reorder: ['delay', '20ms', 'reorder', '50%'],
};

/** The impairments a step picks from (by `policy`, modulo). */
export const WIRE_IMPAIRMENTS: readonly Exclude<WireImpairment, 'healed'>[] = ['drop', 'duplicate', 'reorder'];

/** The tc arguments (after `tc`) that impair a device, or heal it. */
export function netemArgv(dev: string, impairment: WireImpairment): string[] {
  return impairment === 'healed' ? ['qdisc', 'del', 'dev', dev, 'root'] : ['qdisc', 'replace', 'dev', dev, 'root', 'netem', ...NETEM_ARGS[impairment]];
}
