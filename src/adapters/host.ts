// What the adapters of real data paths (Linux namespaces, a local VPP lab) ask of the host they run on: the
// named network namespaces and whether a process still lives. Shared here so that neither adapter imports
// the other (the architecture test allows this file and the interface). Also: process groups (a timed-out
// command is killed with its children), tools on PATH (preflight), and the private directory of lab state.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

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
