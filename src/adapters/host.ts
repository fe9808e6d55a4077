// What the adapters of real data paths (Linux namespaces, a local VPP lab) ask of the host they run on: the
// named network namespaces and whether a process still lives. Shared here so that neither adapter imports
// the other (the architecture test allows this file and the interface). Also: process groups (a timed-out
// command is killed with its children), tools on PATH (preflight), the private directory of lab state, and the
// host interconnect of a node (tap0 and the host stack's end of it, docs/datapath.md §17).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AdapterNode, WireImpairment } from './adapter.ts';

/** Names of all named network namespaces (`ip netns list`). */
export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`'ip netns list' failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- process groups: a timed-out command goes with everything it started ----

const groups = new Set<number>();
let exitHook = false;

/** Kills a process group (the leader's pid, spawned with `detached: true`); quiet when it is gone already. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
  groups.delete(pid);
}

/**
 * Remembers a process group podflow started (`spawn(…, { detached: true })`: the child leads a group of its own),
 * so that it is killed with everything in it if podflow exits first. Returns the function that forgets it (call
 * it when the child has exited).
 */
export function trackGroup(pid: number): () => void {
  groups.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const g of [...groups]) killGroup(g);
    });
  }
  return () => groups.delete(pid);
}

/** A process that is gone (no such pid, or a zombie nobody reaped yet). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return !pidAlive(pid);
  }
}

// ---- tools on PATH (preflight) ----

/** The executable `name` on PATH (or `name` itself when it holds a slash), or undefined. */
export function findTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter((d) => d !== '').map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

// ---- lab state: only in a directory nobody else can write ----

export class UnsafeStateDir extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeStateDir';
  }
}

/**
 * Where podflow keeps the state of the labs it started: $PODFLOW_STATE_DIR, else /run/podflow for root, else
 * $XDG_RUNTIME_DIR/podflow. Never a world-writable place such as /tmp: state there could be planted by anyone.
 */
export function stateDirPath(): string {
  if (process.env.PODFLOW_STATE_DIR) return process.env.PODFLOW_STATE_DIR;
  if (process.geteuid?.() === 0) return '/run/podflow';
  if (process.env.XDG_RUNTIME_DIR) return join(process.env.XDG_RUNTIME_DIR, 'podflow');
  throw new UnsafeStateDir('no place for lab state: not root and XDG_RUNTIME_DIR is not set (or set PODFLOW_STATE_DIR to a directory only you can write)');
}

/** Checks a directory is a real directory owned by the current user that nobody else may write. */
export function checkPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  const uid = process.geteuid?.() ?? st.uid;
  if (st.isSymbolicLink()) throw new UnsafeStateDir(`${dir} is a symbolic link; refusing to use it for lab state`);
  if (!st.isDirectory()) throw new UnsafeStateDir(`${dir} is not a directory; refusing to use it for lab state`);
  if (st.uid !== uid) throw new UnsafeStateDir(`${dir} is owned by uid ${st.uid}, not by you (uid ${uid}); refusing to use it for lab state`);
  if ((st.mode & 0o022) !== 0) throw new UnsafeStateDir(`${dir} is writable by group or others (mode ${(st.mode & 0o777).toString(8)}); refusing to use it for lab state`);
}

/** The lab state directory, created mode 0700 when missing, and checked (UnsafeStateDir otherwise). */
export function stateDir(): string {
  const dir = stateDirPath();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new UnsafeStateDir(`cannot create the lab state directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  checkPrivateDir(dir);
  return dir;
}

// ---- the nemesis's impaired wire (src/faults/wire-impaired.ts), in an underlay namespace of the adapter's own ----

/** The skb mark of a frame the duplicate impairment has copied already ('pfW'). */
const COPY_MARK = '0x706657';

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

let netem: boolean | undefined;
/**
 * Whether this kernel has netem (`sch_netem`), which the `reorder` impairment needs: tried once in a network
 * namespace of its own (`unshare -n`, gone when the probe exits), on its loopback only. Many VM kernels lack it.
 */
export function netemAvailable(): boolean {
  if (netem === undefined) {
    const r = spawnSync('unshare', ['-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { encoding: 'utf8', timeout: 5000 });
    netem = r.status === 0;
  }
  return netem;
}

/** The impairments this host can put on a wire: drop and duplicate (nftables) always, reorder with netem. */
export function hostWireImpairments(): Exclude<WireImpairment, 'healed'>[] {
  return netemAvailable() ? ['drop', 'duplicate', 'reorder'] : ['drop', 'duplicate'];
}

// The host interconnect of a node as the real data paths build it (docs/datapath.md §2.3, §17): VPP's tap0 and the
// host stack's end of it (vpp1), from AdapterNode.host or Contiv's defaults. Shared by the vpp and kernel adapters.
/** tap0's MAC, Contiv's host interconnect MAC (its HOST_TO_POD trace: `… -> 01:23:45:67:89:42`; docs/datapath.md §2.3). */
export const TAP0_MAC = '01:23:45:67:89:42';

/**
 * VPP's end (tap0: the first address of the host end's network, Contiv's `.1`, with the host end's prefix) and the
 * host's end with its MAC and further addresses; without AdapterNode.host, Contiv's default `172.30.<id>.2/24`
 * with no MAC known (then no neighbour for it: nothing can be delivered to the host). A bad address is an error
 * naming the field.
 */
export function hostEnds(node: AdapterNode): { tap0: string; host: string; prefix: number; mac?: string; addresses: string[] } {
  const hostCidr = node.host?.ip ?? `172.30.${node.id}.2/24`;
  const [addr, len] = hostCidr.split('/') as [string, string | undefined];
  const prefix = Number(len ?? 24);
  const octets = addr.split('.');
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255) || !(Number.isInteger(prefix) && prefix >= 1 && prefix <= 30)) throw new Error(`node ${node.id}: host.ip '${hostCidr}' is not an IPv4 address with a prefix length 1-30`);
  const n = octets.reduce((a, b) => a * 256 + Number(b), 0);
  const size = 2 ** (32 - prefix);
  const first = n - (n % size) + 1;
  const tap0 = first === n ? first + 1 : first;
  const text = (x: number): string => [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join('.');
  for (const [i, a] of (node.host?.addresses ?? []).entries()) {
    const [ip, l, ...rest] = a.split('/');
    const ok = rest.length === 0 && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip ?? '') && ip!.split('.').every((o) => Number(o) <= 255) && (l === undefined || (/^\d{1,2}$/.test(l) && Number(l) <= 32));
    if (!ok) throw new Error(`node ${node.id}: host.addresses[${i}] '${a}' is not an IPv4 address or prefix`);
  }
  return { tap0: `${text(tap0)}/${prefix}`, host: addr, prefix, ...(node.host?.mac ? { mac: node.host.mac } : {}), addresses: node.host?.addresses ?? [] };
}
