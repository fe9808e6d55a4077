// `podflow lab <kind> <action>`: a data path kept alive to poke at by hand. `lab kernel up|down|status` builds
// the Contiv design in Linux namespaces (the kernel adapter's setup, pods not muted so `ping` works), records
// what it made in a state file, and `down` removes exactly that. Other kinds (vpp) register beside `kernel`.
// The state lives in a directory only the user can write (/run/podflow for root, never /tmp: a state file anyone
// can plant would make `down` delete anyone's namespaces); it holds the lab's random token, and `down` deletes
// only namespaces whose names carry that token (`pflab-<token>-…`) and that exist, refusing anything else.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterAclConfig, AdapterTopology } from '../adapters/adapter.ts';
import { stateDir, UnsafeStateDir } from '../adapters/host.ts';
import { deleteNamespacesSync, listNamespaces, namespacesWithPrefix } from '../adapters/kernel/cleanup.ts';
import { KernelAdapter } from '../adapters/kernel/kernel-adapter.ts';
import { BVI_IF, GBE_IF, labPrefix, linuxInterfaceMap, namespaceNames, VXLAN_IF } from '../adapters/kernel/names.ts';
import { trustedScenario } from '../reference/scenario.ts';
import { buildTopology } from '../reference/topology/topology.ts';
import { adapterTopology } from '../properties/resolve.ts';
import { UsageError } from './io.ts';
import { registerVppLabCommands } from './lab-vpp.ts';

/** The kernel lab's state file, in the private state directory (created 0700 if missing; UsageError if unsafe). */
export function kernelLabStatePath(): string {
  try {
    return join(stateDir(), 'lab-kernel.json');
  } catch (e) {
    if (e instanceof UnsafeStateDir) throw new UsageError(`lab state: ${e.message}`);
    throw e;
  }
}

export interface KernelLabState {
  /** random, 8 hex digits: the namespaces are `pflab-<token>-…` */
  token: string;
  prefix: string;
  /** the namespaces `up` made (all carry the token) */
  namespaces: string[];
  topology: AdapterTopology;
  createdBy: number;
}

const NAMESPACE = /^[A-Za-z0-9._-]+$/;

/** Checks a state file is one podflow wrote: a token, the prefix made from it, namespaces carrying it. */
export function checkKernelLabState(file: string, v: unknown): KernelLabState {
  const bad = (why: string): never => {
    throw new UsageError(`${file}: not a kernel lab state podflow wrote (${why}); refusing to remove anything`);
  };
  if (typeof v !== 'object' || v === null) return bad('expected an object');
  const s = v as Partial<KernelLabState>;
  if (typeof s.token !== 'string' || !/^[0-9a-f]{8}$/.test(s.token)) return bad('token: expected 8 hex digits');
  if (s.prefix !== labPrefix(s.token)) return bad(`prefix: expected '${labPrefix(s.token)}', the token's`);
  if (!Array.isArray(s.namespaces)) return bad('namespaces: expected a list');
  for (const [i, n] of s.namespaces.entries()) {
    if (typeof n !== 'string' || !NAMESPACE.test(n) || !n.startsWith(s.prefix)) return bad(`namespaces[${i}]: ${JSON.stringify(n)} is not one of this lab's (${s.prefix}…)`);
  }
  if (typeof s.topology !== 'object' || s.topology === null || !Array.isArray(s.topology.nodes)) return bad('topology: expected { nodes: [...] }');
  return s as KernelLabState;
}

function writeState(path: string, state: KernelLabState): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The namespaces a topology's lab is made of (what `up` is about to create). */
function plannedNamespaces(prefix: string, t: AdapterTopology): string[] {
  const names = namespaceNames(prefix);
  return [names.underlay, ...t.nodes.flatMap((n, slot) => [names.node(slot), names.host(slot), ...n.pods.map((_, k) => names.pod(slot, k))])];
}

/**
 * What `lab kernel down` deletes: the state's namespaces and the live ones carrying its token, that exist now.
 * Throws (nothing deleted) when the state is not podflow's.
 */
export function kernelLabDownPlan(file: string, raw: unknown, live: readonly string[]): string[] {
  const state = checkKernelLabState(file, raw);
  const have = new Set(live);
  return [...new Set([...state.namespaces.filter((n) => have.has(n)), ...live.filter((n) => n.startsWith(state.prefix))])];
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

function readState(): { path: string; state?: KernelLabState } {
  const path = kernelLabStatePath();
  if (!existsSync(path)) return { path };
  return { path, state: checkKernelLabState(path, readJson(path, 'lab state')) };
}

/** What `lab kernel status` prints: namespaces, the VPP → Linux interface names, and how to get in. */
export function describeKernelLab(state: KernelLabState, existing: readonly string[], statePath = kernelLabStatePath()): string {
  const names = namespaceNames(state.prefix);
  const have = new Set(existing);
  const mark = (ns: string) => (have.has(ns) ? ns : `${ns} (missing)`);
  const lines = [`kernel lab ${state.prefix} (state ${statePath})`, `underlay: ${mark(names.underlay)}  (bridge 'wire' joins every node's gbe)`];
  state.topology.nodes.forEach((n, slot) => {
    const map = linuxInterfaceMap(n);
    lines.push(`node ${n.id} (${n.name}): ${mark(names.node(slot))}  ${GBE_IF}=${n.gbe.name} ${n.nodeIp}, ${BVI_IF} ${n.bvi.ip}, ${VXLAN_IF} VNI ${n.vni}`);
    lines.push(`  host stack: ${mark(names.host(slot))}  vpp1 ↔ tap0`);
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
      const { path: statePath, state: old } = readState();
      if (old && namespacesWithPrefix(old.prefix).length > 0) throw new UsageError(`a kernel lab is up already (${old.prefix}); run 'podflow lab kernel down' first`);
      // a topology file may be the topology itself or a report's scenario.json holding it (likewise the ACLs)
      const file = o.topology ? (readJson(o.topology, '--topology') as Record<string, unknown>) : undefined;
      const t = file ? ((Array.isArray(file.nodes) ? file : file.topology) as AdapterTopology | undefined) : labTopology(Number(o.nodes), Number(o.pods));
      if (!t || !Array.isArray(t.nodes)) throw new UsageError(`--topology: ${o.topology} has no "nodes" (nor "topology.nodes")`);
      const aclFile = o.acls ? (readJson(o.acls, '--acls') as Record<string, unknown>) : {};
      const acls = ((aclFile.acls && typeof aclFile.acls === 'object' ? aclFile.acls : aclFile) as AdapterAclConfig);
      const token = randomBytes(4).toString('hex');
      const prefix = labPrefix(token);
      // intent first: a crash half-way leaves state that `down` can clean up
      const state: KernelLabState = { token, prefix, namespaces: plannedNamespaces(prefix, t), topology: t, createdBy: process.pid };
      writeState(statePath, state);
      const adapter = new KernelAdapter({ prefix: state.prefix, keep: true, mutePods: false, name: 'kernel-lab' });
      try {
        await adapter.setup(t);
        await adapter.apply(acls);
      } catch (e) {
        deleteNamespacesSync(namespacesWithPrefix(state.prefix));
        rmSync(statePath, { force: true });
        await adapter.teardown().catch(() => {});
        throw e;
      }
      await adapter.teardown();
      const made = namespacesWithPrefix(state.prefix);
      writeState(statePath, { ...state, namespaces: [...new Set([...state.namespaces, ...made])] });
      process.stdout.write(describeKernelLab(state, made, statePath));
      setExit(0);
    });
  kernel
    .command('down')
    .description('remove the namespaces the lab made')
    .action(() => {
      const path = kernelLabStatePath();
      if (!existsSync(path)) {
        process.stdout.write('no kernel lab is up\n');
        return;
      }
      const raw = readJson(path, 'lab state');
      const ns = kernelLabDownPlan(path, raw, listNamespaces());
      const state = raw as KernelLabState;
      const left = deleteNamespacesSync(ns);
      if (left.length > 0) throw new UsageError(`could not delete ${left.join(', ')}`);
      rmSync(path, { force: true });
      process.stdout.write(`removed ${ns.length} namespace(s) of ${state.prefix}\n`);
      setExit(0);
    });
  kernel
    .command('status')
    .description('print the lab\'s namespaces and interface names')
    .action(() => {
      const { path, state } = readState();
      if (!state) {
        process.stdout.write('no kernel lab is up\n');
        setExit(2);
        return;
      }
      process.stdout.write(describeKernelLab(state, namespacesWithPrefix(state.prefix), path));
      setExit(0);
    });
}
