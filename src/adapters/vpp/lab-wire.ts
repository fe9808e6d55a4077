// The wire of a local VPP lab (`podflow lab vpp up`): each node's main NIC is a veth whose other end is a port of
// the bridge in the lab's underlay namespace. wire-impaired impairs that port (frames the underlay sends
// towards the node), with nft or tc run in the namespace the lab file lists — never anywhere else.
import { execFile } from 'node:child_process';
import type { LabFile, LabNode } from './lab-file.ts';
import { wireCommands } from '../host.ts';
import type { WireImpairment } from '../adapter.ts';

/** Runs a command (argument list) on this host: exit status and output. */
export type HostExec = (argv: string[]) => Promise<{ status: number; stdout: string; stderr: string }>;

export const hostExec: HostExec = (argv) =>
  new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 10_000, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolve({ status, stdout: String(stdout), stderr: String(stderr || (err && status === 127 ? err.message : '')) });
    });
  });

/**
 * The underlay namespace of a local lab: the one namespace of `namespaces:` that is no node's `netns`; undefined
 * when the lab file does not say (a remote lab, or one made by hand): then the wire cannot be impaired.
 */
export function labUnderlay(lab: LabFile): string | undefined {
  if (!lab.namespaces || lab.nodes.some((n) => n.netns === undefined)) return undefined;
  const nodes = new Set(lab.nodes.map((n) => n.netns));
  const rest = lab.namespaces.filter((ns) => !nodes.has(ns));
  return rest.length === 1 ? rest[0] : undefined;
}

/** The Linux name of a node's main NIC: VPP's af_packet interface `host-<name>`. */
export function linuxNic(node: LabNode): string | undefined {
  return /^host-(.+)$/.exec(node.gbe)?.[1];
}

/**
 * The underlay port of a lab node: its NIC's veth peer, found by the peer's interface index (`gbe@if7` in the
 * node's namespace is index 7 in the underlay's), so nothing depends on how the lab named the port.
 */
export async function underlayPort(exec: HostExec, node: LabNode, underlay: string): Promise<string> {
  const nic = linuxNic(node);
  if (!node.netns || !nic) throw new Error(`lab node ${node.id}: no namespace or no af_packet NIC (gbe ${node.gbe}): its wire cannot be impaired`);
  const own = await exec(['ip', '-n', node.netns, '-o', 'link', 'show', 'dev', nic]);
  const peer = /^\d+:\s+[^@:\s]+@if(\d+):/.exec(own.stdout)?.[1];
  if (own.status !== 0 || peer === undefined) throw new Error(`lab node ${node.id}: ip -n ${node.netns} link show dev ${nic}: ${own.stderr.trim() || 'not a veth'}`);
  const all = await exec(['ip', '-n', underlay, '-o', 'link', 'show']);
  const m = new RegExp(`^${peer}:\\s+([^@:\\s]+)[@:]`, 'm').exec(all.stdout);
  if (all.status !== 0 || !m) throw new Error(`lab node ${node.id}: no interface ${peer} in namespace ${underlay} (the peer of ${nic})`);
  return m[1]!;
}

/** The commands (argument lists, run in the underlay namespace by `ip netns exec`) that impair a port, and heal it. */
export function wireArgvs(underlay: string, port: string, impairment: Exclude<WireImpairment, 'healed'>): { impair: string[][]; heal: string[][] } {
  const c = wireCommands(port, impairment);
  const inNs = (a: string[]) => ['ip', 'netns', 'exec', underlay, ...a];
  return { impair: c.impair.map(inNs), heal: c.heal.map(inNs) };
}
