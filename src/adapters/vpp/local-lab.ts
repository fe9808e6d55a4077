// A local VPP lab from an existing VPP installation: N VPP processes, each in a network namespace of its own
// (no DPDK, no hugepages, 4 KiB pages, a CLI socket in the run directory, only the plugins the data path needs),
// connected by veth pairs to a Linux bridge in an underlay namespace; VPP drives its end of the veth as an
// af_packet interface (`host-gbe`). Nothing in the root namespace gets an address, a route or a link; `down`
// stops exactly the processes `up` started (by pid, checked against their command line) and deletes exactly its
// namespaces. Execution here, the plan (namespaces, startup config) is pure and unit-tested.
//
// Nothing is removed that this lab did not create: `up` draws a random token, writes it into a marker file in
// every directory it creates and into the lab's state in podflow's private state directory (host.ts: root-only,
// never /tmp), together with the namespaces and processes it made. `down` trusts the state, not the lab file
// (anyone may write one): the lab file's token finds the state, the run directory must agree with it and hold the
// marker with the token, namespaces must be the lab's and exist; anything else is refused with one line.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { checkPrivateDir, listNamespaces, pidAlive, processGone, stateDir, UnsafeStateDir } from '../host.ts';
import { isSafePath, type LabFile } from './lab-file.ts';

export const LAB_NS_PREFIX = 'pfvpp';
/** MTU of the lab's wire (both veth ends of every node, hence the bridge): what VPP's af_packet NIC may send. */
export const LAB_WIRE_MTU = 9000;

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
    // The wire carries what VPP's af_packet NIC may send: its L3 MTU is 9000 (VPP's default for an interface
    // without a device MTU), so both veth ends and with them the bridge take 9000 too. At Linux's default 1500, one
    // larger frame is refused by the kernel and stays at the head of VPP's TX ring for good, and every later frame
    // of that node queues behind it (findings/vpp-26.06-af-packet-refused-frame-blocks-tx-ring).
    c.push(['ip', '-n', n.netns, 'link', 'add', 'gbe', 'mtu', String(LAB_WIRE_MTU), 'type', 'veth', 'peer', 'name', n.bridgePort, 'netns', plan.underlay, 'mtu', String(LAB_WIRE_MTU)]);
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

/** The lab file of a running local lab (`token`: the lab's, see the top of this file). */
export function labFileOf(plan: LocalLabPlan, pids: Map<number, number>, token?: string): LabFile {
  return {
    version: 1,
    profile: 'vpp-current',
    runDir: plan.runDir,
    ...(token ? { token } : {}),
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

/** `down` would remove something this lab did not make: nothing is removed. */
export class LabRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabRefused';
  }
}

/** The marker file `up` puts in every directory it creates; it holds the lab's token. */
export const LAB_MARKER = '.podflow-lab';

/** What `up` records in the private state directory: everything `down` may remove. */
export interface LocalLabState {
  version: 1;
  token: string;
  runDir: string;
  /** whether `up` created runDir (else it was an empty directory of the user's, which stays) */
  madeRunDir: boolean;
  namespaces: string[];
  nodes: { id: number; dir: string; startup: string; pid?: number }[];
}

function refuse(why: string): never {
  throw new LabRefused(why);
}

function labStateDir(): string {
  try {
    return stateDir();
  } catch (e) {
    if (e instanceof UnsafeStateDir) refuse(`lab state: ${e.message}`);
    throw e;
  }
}

export function labStatePath(token: string): string {
  if (!/^[0-9a-f]{32}$/.test(token)) refuse(`lab token '${token}': expected 32 hex digits`);
  return join(labStateDir(), `vpp-lab-${token}.json`);
}

function writeLabState(st: LocalLabState): void {
  const path = labStatePath(st.token);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(st, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

const LAB_NS = new RegExp(`^${LAB_NS_PREFIX}[a-z0-9]{1,6}-(ul|n\\d+)$`);

/** Reads and checks the state of the lab with this token (LabRefused when there is none or it is not podflow's). */
export function readLabState(token: string): LocalLabState {
  const path = labStatePath(token);
  let v: Partial<LocalLabState>;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalLabState>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    refuse(code === 'ENOENT' ? `no state of a lab with token ${token} in ${dirname(path)}: podflow removes only labs it started itself; nothing removed` : `${path}: unreadable lab state (${code ?? (e as Error).message}); nothing removed`);
  }
  const bad = (why: string): never => refuse(`${path}: not a lab state podflow wrote (${why}); nothing removed`);
  if (v.version !== 1 || v.token !== token) bad('version or token');
  if (typeof v.runDir !== 'string' || !isSafePath(v.runDir)) bad('runDir');
  if (typeof v.madeRunDir !== 'boolean') bad('madeRunDir');
  if (!Array.isArray(v.namespaces) || v.namespaces.some((n) => typeof n !== 'string' || !LAB_NS.test(n))) bad(`namespaces: only ${LAB_NS_PREFIX}<tag>-ul|n<id>`);
  if (!Array.isArray(v.nodes) || v.nodes.some((n) => !Number.isInteger(n.id) || n.dir !== join(v.runDir!, `node${n.id}`) || n.startup !== join(n.dir, 'startup.conf') || (n.pid !== undefined && !Number.isInteger(n.pid)))) bad('nodes');
  return v as LocalLabState;
}

/** Whether dir is a real directory (not a link) whose marker file holds this token. */
export function hasMarker(dir: string, token: string): boolean {
  try {
    if (!lstatSync(dir).isDirectory()) return false;
    const m = join(dir, LAB_MARKER);
    return lstatSync(m).isFile() && readFileSync(m, 'utf8').trim() === token;
  } catch {
    return false;
  }
}

/** A directory `up` makes: it must not exist; it gets the marker. */
function makeDir(dir: string, token: string): void {
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, LAB_MARKER), `${token}\n`, { mode: 0o600 });
}

/**
 * The run directory: created (mode 0700) when missing; an existing one must be an empty directory of the user's
 * that nobody else can write (a directory someone else controls could have its files swapped under VPP).
 */
function prepareRunDir(runDir: string, token: string): boolean {
  if (!isSafePath(runDir)) refuse(`--dir ${runDir}: expected an absolute path of letters, digits and . _ / - only, without '..'`);
  let made = false;
  if (!existsSync(runDir)) {
    mkdirSync(dirname(runDir), { recursive: true });
    mkdirSync(runDir, { mode: 0o700 });
    made = true;
  } else {
    try {
      checkPrivateDir(runDir);
    } catch (e) {
      refuse(`--dir ${runDir}: ${(e as Error).message.replace(/ for lab state$/, '')}`);
    }
    if (readdirSync(runDir).length > 0) refuse(`--dir ${runDir} exists and is not empty: a lab starts in a new or empty directory`);
  }
  writeFileSync(join(runDir, LAB_MARKER), `${token}\n`, { mode: 0o600 });
  return made;
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
  const token = randomBytes(16).toString('hex');
  const pids = new Map<number, number>();
  // Intent first (the state directory is private): a crash half-way leaves what `down` needs to clean up.
  const state: LocalLabState = {
    version: 1,
    token,
    runDir: plan.runDir,
    madeRunDir: false,
    namespaces: [plan.underlay, ...plan.nodes.map((n) => n.netns)],
    nodes: plan.nodes.map((n) => ({ id: n.id, dir: n.dir, startup: n.startup })),
  };
  labStateDir();
  state.madeRunDir = prepareRunDir(plan.runDir, token);
  writeLabState(state);
  try {
    for (const argv of renderLabNetwork(plan)) run(argv);
    for (const n of plan.nodes) {
      makeDir(n.dir, token);
      writeFileSync(n.startup, startupConfig(n.dir, `pfvpp${o.tag}n${n.id}`));
      const out = openSync(join(n.dir, 'stdout.log'), 'w');
      const child = spawn('ip', ['netns', 'exec', n.netns, o.vpp, '-c', n.startup], { detached: true, stdio: ['ignore', out, out] });
      child.unref();
      // `ip netns exec` execs VPP in place, so the child's pid is VPP's.
      pids.set(n.id, child.pid!);
      state.nodes.find((x) => x.id === n.id)!.pid = child.pid!;
      writeLabState(state);
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
    const lab = labFileOf(plan, pids, token);
    const tmp = `${labPath}.tmp`;
    writeFileSync(tmp, stringify(lab), { mode: 0o644 });
    renameSync(tmp, labPath);
    return { lab, path: labPath };
  } catch (e) {
    removeLab(state);
    throw e;
  }
}

/**
 * Stops the state's VPP processes (only if they still are this lab's VPPs), deletes its namespaces that exist,
 * the directories that hold its marker, and the state. Returns what it did.
 */
export function removeLab(st: LocalLabState): string[] {
  const done: string[] = [];
  const procs = st.nodes.filter((n): n is typeof n & { pid: number } => n.pid !== undefined);
  for (const p of procs) {
    if (!isLabVpp(p.pid, p.startup)) continue;
    process.kill(p.pid, 'SIGTERM');
    done.push(`stopped VPP pid ${p.pid}`);
  }
  // VPP exits within a second or two of SIGTERM; then SIGKILL what is left.
  const deadline = Date.now() + 5000;
  for (const p of procs) {
    while (pidAlive(p.pid) && isLabVpp(p.pid, p.startup) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
    if (pidAlive(p.pid) && isLabVpp(p.pid, p.startup)) process.kill(p.pid, 'SIGKILL');
  }
  const have = new Set(listNamespaces());
  for (const ns of st.namespaces) {
    if (!LAB_NS.test(ns) || !have.has(ns)) continue;
    spawnSync('ip', ['netns', 'del', ns]);
    done.push(`deleted namespace ${ns}`);
  }
  for (const n of st.nodes) {
    if (!hasMarker(n.dir, st.token)) continue;
    rmSync(n.dir, { recursive: true, force: true });
  }
  if (hasMarker(st.runDir, st.token)) {
    for (const f of ['lab.yaml', 'lab.yaml.tmp', LAB_MARKER]) rmSync(join(st.runDir, f), { force: true });
    if (st.madeRunDir) {
      try {
        rmdirSync(st.runDir);
        done.push(`removed ${st.runDir}`);
      } catch (e) {
        done.push(`left ${st.runDir}: ${(e as NodeJS.ErrnoException).code === 'ENOTEMPTY' ? 'it holds files podflow did not make' : (e as Error).message}`);
      }
    }
  }
  rmSync(labStatePath(st.token), { force: true });
  return done;
}

/**
 * `podflow lab vpp down`: the lab a lab file describes, if podflow started it — the lab file's token finds
 * podflow's own state, which must agree with the lab file; LabRefused (nothing removed) otherwise.
 */
export function labDown(lab: LabFile): string[] {
  if (!lab.runDir || !lab.token) refuse('this lab file does not describe a local lab podflow started (no runDir or token): podflow stops only labs it started; nothing removed');
  const st = readLabState(lab.token);
  if (st.runDir !== lab.runDir) refuse(`the lab file's runDir ${lab.runDir} is not the one podflow recorded for this lab (${st.runDir}); nothing removed`);
  if (!hasMarker(st.runDir, st.token)) refuse(`${st.runDir} does not hold this lab's marker (${LAB_MARKER} with its token): not a directory podflow made for it; nothing removed`);
  const foreign = (lab.namespaces ?? []).filter((n) => !st.namespaces.includes(n));
  if (foreign.length > 0) refuse(`the lab file names namespaces podflow did not create for this lab: ${foreign.join(', ')}; nothing removed`);
  return removeLab(st);
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

/**
 * node-restart on a local lab (the nemesis, issue 13): the VPP process of one node stopped and started again the
 * way `up` starts it (`ip netns exec <netns> <vpp> -c <startup>`, the same startup file, the same namespace), its
 * main NIC made again (`create host-interface name gbe`), and the new pid recorded in the lab's state and lab file,
 * so `down` stops the new process. Only a process this lab started: the lab file's token must find the state, the
 * state must name the node's pid, that pid must be a VPP run with the node's startup file, and the node's
 * directory must hold the lab's marker; LabRefused (nothing done) otherwise. Returns the new pid. The caller
 * configures the node again (VPP keeps nothing across a restart).
 */
export async function restartLabNode(lab: LabFile, id: number, o: { startTimeoutMs?: number } = {}): Promise<number> {
  if (!lab.runDir || !lab.token) refuse('this lab file does not describe a local lab podflow started (no runDir or token): podflow restarts only VPPs it started');
  const st = readLabState(lab.token);
  if (st.runDir !== lab.runDir) refuse(`the lab file's runDir ${lab.runDir} is not the one podflow recorded for this lab (${st.runDir}); nothing restarted`);
  const sn = st.nodes.find((n) => n.id === id);
  const ln = lab.nodes.find((n) => n.id === id);
  if (!sn || sn.pid === undefined || !ln?.netns) refuse(`node ${id}: the lab's state records no VPP process for it; nothing restarted`);
  if (!st.namespaces.includes(ln.netns)) refuse(`node ${id}: namespace ${ln.netns} is not one podflow created for this lab; nothing restarted`);
  if (!hasMarker(sn.dir, st.token)) refuse(`node ${id}: ${sn.dir} does not hold this lab's marker; nothing restarted`);
  const pid = sn.pid;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    refuse(`node ${id}: VPP pid ${pid} is not running; nothing restarted`);
  }
  if (argv.length !== 3 || argv[1] !== '-c' || argv[2] !== sn.startup || !/(^|\/)vpp$/.test(argv[0]!)) refuse(`node ${id}: pid ${pid} is not this lab's VPP (${argv.join(' ')}); nothing restarted`);
  const vpp = argv[0]!;
  const vppctl = ln.vppctl[0]!;
  const sock = join(sn.dir, 'cli.sock');
  process.kill(pid, 'SIGTERM');
  const stopBy = Date.now() + 5000;
  while (!processGone(pid) && isLabVpp(pid, sn.startup) && Date.now() < stopBy) await sleep(50);
  if (!processGone(pid) && isLabVpp(pid, sn.startup)) process.kill(pid, 'SIGKILL');
  while (!processGone(pid) && isLabVpp(pid, sn.startup)) await sleep(20);
  const out = openSync(join(sn.dir, 'stdout.log'), 'a');
  const child = spawn('ip', ['netns', 'exec', ln.netns, vpp, '-c', sn.startup], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const next = child.pid!;
  sn.pid = next;
  writeLabState(st);
  const labPath = join(st.runDir, 'lab.yaml');
  if (hasMarker(st.runDir, st.token) && existsSync(labPath)) {
    const file: LabFile = { ...lab, nodes: lab.nodes.map((n) => (n.id === id ? { ...n, pid: next } : n)) };
    writeFileSync(`${labPath}.tmp`, stringify(file), { mode: 0o644 });
    renameSync(`${labPath}.tmp`, labPath);
  }
  const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
  for (;;) {
    const r = existsSync(sock) ? spawnSync(vppctl, ['-s', sock, 'show', 'version'], { encoding: 'utf8', timeout: 5000 }) : undefined;
    if (r && r.status === 0 && /vpp v/.test(r.stdout)) break;
    if (!pidAlive(next)) throw new Error(`VPP of node ${id} exited at restart; see ${join(sn.dir, 'stdout.log')}`);
    if (Date.now() > deadline) throw new Error(`VPP of node ${id} did not answer on ${sock} within ${o.startTimeoutMs ?? 20_000} ms after the restart`);
    await sleep(100);
  }
  const made = spawnSync(vppctl, ['-s', sock, 'create', 'host-interface', 'name', 'gbe'], { encoding: 'utf8' });
  if (!/host-gbe/.test(made.stdout)) throw new Error(`node ${id}: create host-interface name gbe: ${made.stdout.trim() || made.stderr.trim()}`);
  return next;
}

/** Whether the adapter can restart this lab's VPPs (a local lab: runDir, token, and a pid and namespace per node). */
export function isLocalLab(lab: LabFile): boolean {
  return lab.runDir !== undefined && lab.token !== undefined && lab.nodes.every((n) => n.pid !== undefined && n.netns !== undefined);
}
