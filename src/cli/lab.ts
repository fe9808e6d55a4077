// `podflow lab <kind> <action>`: a data path kept alive to poke at by hand. `lab kernel up|down|status` builds
// the Contiv design in Linux namespaces (the kernel adapter's setup, pods not muted so `ping` works), records
// what it made in a state file, and `down` removes exactly that. Other kinds (vpp) register beside `kernel`.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterAclConfig, AdapterTopology } from '../adapters/adapter.ts';
import { deleteNamespacesSync, namespacesWithPrefix } from '../adapters/kernel/cleanup.ts';
import { KernelAdapter } from '../adapters/kernel/kernel-adapter.ts';
import { BVI_IF, GBE_IF, labPrefix, linuxInterfaceMap, namespaceNames, VXLAN_IF } from '../adapters/kernel/names.ts';
import { trustedScenario } from '../reference/scenario.ts';
import { buildTopology } from '../reference/topology/topology.ts';
import { adapterTopology } from '../properties/resolve.ts';
import { UsageError } from './io.ts';
import { registerVppLabCommands } from './lab-vpp.ts';

export const KERNEL_LAB_STATE = join(tmpdir(), 'podflow-lab-kernel.json');

interface KernelLabState {
  prefix: string;
  topology: AdapterTopology;
  createdBy: number;
}

/** A default lab topology: `nodes` nodes with `pods` pods each, addressed by Contiv's IPAM defaults. */
export function labTopology(nodes: number, pods: number): AdapterTopology {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw new UsageError(`--nodes: expected an integer 1..16, got '${nodes}'`);
  if (!Number.isInteger(pods) || pods < 0 || pods > 32) throw new UsageError(`--pods: expected an integer 0..32, got '${pods}'`);
  const s = trustedScenario({
    version: 1,
    topology: { nodes: Array.from({ length: nodes }, (_, i) => ({ id: i + 1, pods: Array.from({ length: pods }, (_, k) => ({ name: `pod${i + 1}-${k + 1}` })) })) },
  } as Parameters<typeof trustedScenario>[0]);
  return adapterTopology(buildTopology(s.topology.nodes, s.ipamOverrides));
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

function readState(): KernelLabState | undefined {
  if (!existsSync(KERNEL_LAB_STATE)) return undefined;
  return readJson(KERNEL_LAB_STATE, 'lab state') as KernelLabState;
}

/** What `lab kernel status` prints: namespaces, the VPP → Linux interface names, and how to get in. */
export function describeKernelLab(state: KernelLabState, existing: readonly string[]): string {
  const names = namespaceNames(state.prefix);
  const have = new Set(existing);
  const mark = (ns: string) => (have.has(ns) ? ns : `${ns} (missing)`);
  const lines = [`kernel lab ${state.prefix} (state ${KERNEL_LAB_STATE})`, `underlay: ${mark(names.underlay)}  (bridge 'wire' joins every node's gbe)`];
  state.topology.nodes.forEach((n, slot) => {
    const map = linuxInterfaceMap(n);
    lines.push(`node ${n.id} (${n.name}): ${mark(names.node(slot))}  ${GBE_IF}=${n.gbe.name} ${n.nodeIp}, ${BVI_IF} ${n.bvi.ip}, ${VXLAN_IF} VNI ${n.vni}`);
    n.pods.forEach((p, k) => lines.push(`  pod ${p.name} ${p.ip}: ${mark(names.pod(slot, k))}  eth0 ↔ ${map.get(p.tap.name)} (VPP ${p.tap.name})`));
  });
  const first = state.topology.nodes[0];
  const second = state.topology.nodes[1];
  lines.push('', 'try:');
  if (first?.pods[0]) lines.push(`  ip netns exec ${names.pod(0, 0)} ping -c1 ${second?.pods[0]?.ip ?? first.pods[1]?.ip ?? first.pods[0].gateway}`);
  lines.push(`  ip netns exec ${names.node(0)} nft list ruleset`, `  ip -n ${names.node(0)} route; bridge -n ${names.node(0)} fdb show dev ${VXLAN_IF}`, `  ip netns exec ${names.underlay} tcpdump -ni wire`);
  return `${lines.join('\n')}\n`;
}

export function registerLabCommands(program: Command, setExit: (code: number) => void): void {
  const lab = program.command('lab').description('keep a data path alive to poke at by hand (lab <kind> up|down|status)');
  registerVppLabCommands(lab, setExit);
  const kernel = lab.command('kernel').description('the Contiv design in Linux network namespaces (needs root, ip, bridge, nft, python3)');
  kernel
    .command('up')
    .description('build the namespaces and print how to get into them')
    .option('--nodes <N>', 'nodes', '2')
    .option('--pods <N>', 'pods per node', '2')
    .option('--topology <file>', 'an adapter topology (JSON, as in a report\'s scenario.json "topology") instead of --nodes/--pods')
    .option('--acls <file>', 'ACL configuration per node (JSON, as in a report\'s scenario.json "acls")')
    .action(async (o: { nodes: string; pods: string; topology?: string; acls?: string }) => {
      const old = readState();
      if (old && namespacesWithPrefix(old.prefix).length > 0) throw new UsageError(`a kernel lab is up already (${old.prefix}); run 'podflow lab kernel down' first`);
      // a topology file may be the topology itself or a report's scenario.json holding it (likewise the ACLs)
      const file = o.topology ? (readJson(o.topology, '--topology') as Record<string, unknown>) : undefined;
      const t = file ? ((Array.isArray(file.nodes) ? file : file.topology) as AdapterTopology | undefined) : labTopology(Number(o.nodes), Number(o.pods));
      if (!t || !Array.isArray(t.nodes)) throw new UsageError(`--topology: ${o.topology} has no "nodes" (nor "topology.nodes")`);
      const aclFile = o.acls ? (readJson(o.acls, '--acls') as Record<string, unknown>) : {};
      const acls = ((aclFile.acls && typeof aclFile.acls === 'object' ? aclFile.acls : aclFile) as AdapterAclConfig);
      const state: KernelLabState = { prefix: labPrefix(randomBytes(3).toString('hex')), topology: t, createdBy: process.pid };
      writeFileSync(KERNEL_LAB_STATE, `${JSON.stringify(state, null, 2)}\n`);
      const adapter = new KernelAdapter({ prefix: state.prefix, keep: true, mutePods: false, name: 'kernel-lab' });
      try {
        await adapter.setup(t);
        await adapter.apply(acls);
      } catch (e) {
        deleteNamespacesSync(namespacesWithPrefix(state.prefix));
        rmSync(KERNEL_LAB_STATE, { force: true });
        await adapter.teardown().catch(() => {});
        throw e;
      }
      await adapter.teardown();
      process.stdout.write(describeKernelLab(state, namespacesWithPrefix(state.prefix)));
      setExit(0);
    });
  kernel
    .command('down')
    .description('remove the namespaces the lab made')
    .action(() => {
      const state = readState();
      if (!state) {
        process.stdout.write('no kernel lab is up\n');
        return;
      }
      const ns = namespacesWithPrefix(state.prefix);
      const left = deleteNamespacesSync(ns);
      if (left.length > 0) throw new UsageError(`could not delete ${left.join(', ')}`);
      rmSync(KERNEL_LAB_STATE, { force: true });
      process.stdout.write(`removed ${ns.length} namespace(s) of ${state.prefix}\n`);
      setExit(0);
    });
  kernel
    .command('status')
    .description('print the lab\'s namespaces and interface names')
    .action(() => {
      const state = readState();
      if (!state) {
        process.stdout.write('no kernel lab is up\n');
        setExit(2);
        return;
      }
      process.stdout.write(describeKernelLab(state, namespacesWithPrefix(state.prefix)));
      setExit(0);
    });
}
