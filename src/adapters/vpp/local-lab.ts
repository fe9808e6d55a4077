// A local VPP lab from an existing VPP installation: N VPP processes, each in a network namespace of its own
// (no DPDK, no hugepages, 4 KiB pages, a CLI socket in the run directory, only the plugins the data path needs),
// connected by veth pairs to a Linux bridge in an underlay namespace; VPP drives its end of the veth as an
// af_packet interface (`host-gbe`). Nothing in the root namespace gets an address, a route or a link; `down`
// stops exactly the processes `up` started (by pid, checked against their command line) and deletes exactly its
// namespaces. Execution here, the plan (namespaces, startup config) is pure and unit-tested.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { listNamespaces, pidAlive } from '../host.ts';
import type { LabFile } from './lab-file.ts';

export const LAB_NS_PREFIX = 'pfvpp';

export interface LocalLabPlan {
  runDir: string;
  vpp: string;
  vppctl: string;
  underlay: string;
  nodes: { id: number; netns: string; dir: string; sock: string; startup: string; bridgePort: string }[];
}

/** Namespaces and files of a lab; `tag` keeps two labs apart (default: the run directory's hash). */
export function planLocalLab(vpp: string, nodes: number, runDir: string, tag: string): LocalLabPlan {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 8) throw new Error(`--nodes: expected 1..8, got ${nodes}`);
  if (!/^[a-z0-9]{1,6}$/.test(tag)) throw new Error(`lab tag '${tag}': expected 1-6 lowercase letters or digits`);
  const vppctl = join(dirname(vpp), 'vppctl');
  return {
    runDir,
    vpp,
    vppctl,
    underlay: `${LAB_NS_PREFIX}${tag}-ul`,
    nodes: Array.from({ length: nodes }, (_, i) => {
      const id = i + 1;
      const dir = join(runDir, `node${id}`);
      return { id, netns: `${LAB_NS_PREFIX}${tag}-n${id}`, dir, sock: join(dir, 'cli.sock'), startup: join(dir, 'startup.conf'), bridgePort: `n${id}` };
    }),
  };
}

/** VPP's startup configuration for a lab node: no hugepages (4 KiB pages everywhere), sockets in its directory. */
export function startupConfig(dir: string, prefix: string): string {
  return [
    'unix {',
    '  nodaemon',
    `  cli-listen ${join(dir, 'cli.sock')}`,
    `  log ${join(dir, 'vpp.log')}`,
    '}',
    `api-segment { prefix ${prefix} }`,
    `socksvr { socket-name ${join(dir, 'api.sock')} }`,
    'memory { main-heap-size 256M main-heap-page-size 4k }',
    // page-size 4k: without it VPP pre-allocates 2 MiB hugepages on the host and leaves them there.
    'buffers { buffers-per-numa 16384 default data-size 2048 page-size 4k }',
    `statseg { socket-name ${join(dir, 'stats.sock')} size 32M page-size 4k }`,
    'cpu { main-core 0 }',
    'plugins {',
    '  plugin default { disable }',
    ...['acl', 'nat', 'vxlan', 'af_packet', 'ping'].map((p) => `  plugin ${p}_plugin.so { enable }`),
    '}',
    '',
  ].join('\n');
}

/** The commands (argument arrays) that build the lab's namespaces and links; IPv6 off so the links stay quiet. */
export function renderLabNetwork(plan: LocalLabPlan): string[][] {
  const c: string[][] = [];
  const quiet = (ns: string): string[][] => [
    ['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'],
    ['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1'],
  ];
  c.push(['ip', 'netns', 'add', plan.underlay], ...quiet(plan.underlay));
  c.push(['ip', '-n', plan.underlay, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  c.push(['ip', '-n', plan.underlay, 'link', 'set', 'br0', 'up']);
  for (const n of plan.nodes) {
    c.push(['ip', 'netns', 'add', n.netns], ...quiet(n.netns));
    c.push(['ip', '-n', n.netns, 'link', 'set', 'lo', 'up']);
    // Both ends are made inside namespaces (never in the root namespace).
    c.push(['ip', '-n', n.netns, 'link', 'add', 'gbe', 'type', 'veth', 'peer', 'name', n.bridgePort, 'netns', plan.underlay]);
    c.push(['ip', '-n', n.netns, 'link', 'set', 'gbe', 'up']);
    c.push(['ip', '-n', plan.underlay, 'link', 'set', n.bridgePort, 'master', 'br0']);
    // No learning: a scenario moves node MACs between lab nodes from case to case, and a learned MAC would send
    // frames to the node that had it last. Flooded frames reach every node; the adapter keeps, per node, only
    // frames to or from its own NIC (as a switch would deliver them).
    c.push(['ip', '-n', plan.underlay, 'link', 'set', n.bridgePort, 'type', 'bridge_slave', 'learning', 'off', 'flood', 'on']);
    c.push(['ip', '-n', plan.underlay, 'link', 'set', n.bridgePort, 'up']);
  }
  return c;
}

/** The lab file of a running local lab. */
export function labFileOf(plan: LocalLabPlan, pids: Map<number, number>): LabFile {
  return {
    version: 1,
    profile: 'vpp-current',
    runDir: plan.runDir,
    namespaces: [plan.underlay, ...plan.nodes.map((n) => n.netns)],
    nodes: plan.nodes.map((n) => ({ id: n.id, name: `vpp${n.id}`, vppctl: [plan.vppctl, '-s', n.sock], files: n.dir, gbe: 'host-gbe', timeoutMs: 10_000, pid: pids.get(n.id)!, netns: n.netns })),
  };
}

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`lab: \`${argv.join(' ')}\` failed: ${r.error?.message ?? r.stderr.trim()}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True when pid is a VPP process started with this lab's startup file (so `down` never kills anything else). */
export function isLabVpp(pid: number, startup: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(startup);
  } catch {
    return false;
  }
}

export interface LabUpOptions {
  vpp: string;
  nodes: number;
  runDir: string;
  tag: string;
  /** ms to wait for each VPP's CLI (default 20 000) */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Starts the lab; on any failure removes what it made. Returns the lab file (also written to runDir/lab.yaml). */
export async function labUp(o: LabUpOptions): Promise<{ lab: LabFile; path: string }> {
  if (!existsSync(o.vpp)) throw new Error(`--vpp: ${o.vpp}: no such file`);
  const plan = planLocalLab(o.vpp, o.nodes, o.runDir, o.tag);
  if (!existsSync(plan.vppctl)) throw new Error(`--vpp: no vppctl next to ${o.vpp} (expected ${plan.vppctl})`);
  const labPath = join(plan.runDir, 'lab.yaml');
  if (existsSync(labPath)) throw new Error(`${labPath} exists: a lab runs there already (podflow lab vpp down --dir ${plan.runDir})`);
  const existing = new Set(listNamespaces());
  const clash = [plan.underlay, ...plan.nodes.map((n) => n.netns)].filter((n) => existing.has(n));
  if (clash.length > 0) throw new Error(`namespaces ${clash.join(', ')} exist already (another lab with tag '${o.tag}'?)`);
  const pids = new Map<number, number>();
  try {
    for (const argv of renderLabNetwork(plan)) run(argv);
    for (const n of plan.nodes) {
      mkdirSync(n.dir, { recursive: true });
      writeFileSync(n.startup, startupConfig(n.dir, `pfvpp${o.tag}n${n.id}`));
      const out = openSync(join(n.dir, 'stdout.log'), 'w');
      const child = spawn('ip', ['netns', 'exec', n.netns, o.vpp, '-c', n.startup], { detached: true, stdio: ['ignore', out, out] });
      child.unref();
      // `ip netns exec` execs VPP in place, so the child's pid is VPP's.
      pids.set(n.id, child.pid!);
    }
    const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
    for (const n of plan.nodes) {
      for (;;) {
        const r = existsSync(n.sock) ? spawnSync(plan.vppctl, ['-s', n.sock, 'show', 'version'], { encoding: 'utf8', timeout: 5000 }) : undefined;
        if (r && r.status === 0 && /vpp v/.test(r.stdout)) break;
        if (!pidAlive(pids.get(n.id)!)) throw new Error(`VPP of node ${n.id} exited at start; see ${join(n.dir, 'stdout.log')}`);
        if (Date.now() > deadline) throw new Error(`VPP of node ${n.id} did not answer on ${n.sock} within ${o.startTimeoutMs ?? 20_000} ms`);
        await sleep(200);
      }
      const made = spawnSync(plan.vppctl, ['-s', n.sock, 'create', 'host-interface', 'name', 'gbe'], { encoding: 'utf8' });
      if (!/host-gbe/.test(made.stdout)) throw new Error(`node ${n.id}: create host-interface name gbe: ${made.stdout.trim() || made.stderr.trim()}`);
      o.log?.(`node ${n.id}: VPP pid ${pids.get(n.id)} in namespace ${n.netns}, CLI ${n.sock}`);
    }
    const lab = labFileOf(plan, pids);
    const tmp = `${labPath}.tmp`;
    writeFileSync(tmp, stringify(lab));
    renameSync(tmp, labPath);
    return { lab, path: labPath };
  } catch (e) {
    stopLab({ runDir: plan.runDir, namespaces: [plan.underlay, ...plan.nodes.map((n) => n.netns)], processes: plan.nodes.map((n) => ({ pid: pids.get(n.id), startup: n.startup })) });
    throw e;
  }
}

/** Stops the given processes (only if they are this lab's VPPs) and deletes the namespaces and the run directory. */
export function stopLab(o: { runDir: string; namespaces: string[]; processes: { pid?: number; startup: string }[] }): string[] {
  const done: string[] = [];
  for (const p of o.processes) {
    if (p.pid === undefined || !isLabVpp(p.pid, p.startup)) continue;
    process.kill(p.pid, 'SIGTERM');
    done.push(`stopped VPP pid ${p.pid}`);
  }
  // VPP exits within a second or two of SIGTERM; then SIGKILL what is left.
  const deadline = Date.now() + 5000;
  for (const p of o.processes) {
    if (p.pid === undefined) continue;
    while (pidAlive(p.pid) && isLabVpp(p.pid, p.startup) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
    if (pidAlive(p.pid) && isLabVpp(p.pid, p.startup)) process.kill(p.pid, 'SIGKILL');
  }
  const have = new Set(listNamespaces());
  for (const ns of o.namespaces) {
    if (!ns.startsWith(LAB_NS_PREFIX) || !have.has(ns)) continue;
    spawnSync('ip', ['netns', 'del', ns]);
    done.push(`deleted namespace ${ns}`);
  }
  if (existsSync(join(o.runDir, 'lab.yaml')) || o.processes.some((p) => p.startup.startsWith(o.runDir))) rmSync(o.runDir, { recursive: true, force: true });
  return done;
}

/** `podflow lab vpp down`: everything a lab file of a local lab names. */
export function labDown(lab: LabFile): string[] {
  if (!lab.runDir) throw new Error('this lab file does not describe a local lab (no runDir): podflow stops only labs it started');
  return stopLab({ runDir: lab.runDir, namespaces: lab.namespaces ?? [], processes: lab.nodes.map((n) => ({ pid: n.pid, startup: join(n.files, 'startup.conf') })) });
}

export interface NodeStatus {
  id: number;
  pid?: number;
  running: boolean;
  version?: string;
}

export function labStatus(lab: LabFile): NodeStatus[] {
  return lab.nodes.map((n) => {
    const running = n.pid !== undefined && pidAlive(n.pid) && isLabVpp(n.pid, join(n.files, 'startup.conf'));
    const r = spawnSync(n.vppctl[0]!, [...n.vppctl.slice(1), 'show', 'version'], { encoding: 'utf8', timeout: 5000 });
    const version = /vpp v\S+/.exec(r.stdout ?? '')?.[0];
    const s: NodeStatus = { id: n.id, running: running || version !== undefined };
    if (n.pid !== undefined) s.pid = n.pid;
    if (version) s.version = version;
    return s;
  });
}
