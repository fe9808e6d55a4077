// The Node side of netns-helper.py: one long-lived python3 process (AF_PACKET sockets inside the namespaces,
// conntrack flushes, commands run inside a namespace), spoken to in JSON lines. Node has no AF_PACKET. The
// helper leads a process group of its own: a request that does not come back in time kills the group (the helper
// and every command it runs), and so does podflow's exit.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { killGroup, trackGroup } from '../host.ts';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const HELPER_SCRIPT = fileURLToPath(new URL('./netns-helper.py', import.meta.url));

export interface HelperCapture {
  key: string;
  outgoing: boolean;
  data: Uint8Array;
}

export class HelperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperError';
  }
}

export class NetnsHelper {
  private child?: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private stderr = '';
  private dead?: string;

  constructor(private readonly python = process.env.PODFLOW_PYTHON ?? 'python3') {}

  start(): void {
    if (this.child) return;
    const child = spawn(this.python, ['-u', HELPER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const pid = child.pid;
    const untrack = pid !== undefined ? trackGroup(pid) : () => {};
    this.dead = undefined;
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const p = this.pending.get(msg.id as number);
      if (!p) return;
      this.pending.delete(msg.id as number);
      if (msg.ok) p.resolve(msg);
      else p.reject(new HelperError(`netns helper: ${String(msg.error)}`));
    });
    const fail = (why: string) => {
      // whatever the helper left running (a command it was waiting for) goes with it
      if (pid !== undefined) killGroup(pid);
      untrack();
      if (this.child !== child) return;
      this.dead = why;
      for (const p of this.pending.values()) p.reject(new HelperError(`netns helper ${why}${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      this.pending.clear();
      this.child = undefined;
    };
    child.on('error', (e) => fail(`could not start (${this.python} ${HELPER_SCRIPT}): ${e.message}`));
    child.on('exit', (code, sig) => fail(`exited (${sig ?? code})`));
    child.stdin.on('error', () => {});
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  request(op: string, body: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    this.start();
    const child = this.child;
    if (!child) return Promise.reject(new HelperError(`netns helper is not running: ${this.dead ?? 'unknown reason'}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HelperError(`netns helper: '${op}' timed out after ${timeoutMs} ms`));
        // a stuck helper (or a command it runs) is killed with its whole group; the next request starts a new one
        this.killNow();
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.stdin.write(`${JSON.stringify({ ...body, op, id })}\n`);
    });
  }

  async sockets(points: { key: string; ns: string; ifname: string }[], marker: { key: string; ns: string; tx: string; rx: string }): Promise<void> {
    await this.request('sockets', { points, marker });
  }

  async inject(frames: { via: string; data: Uint8Array }[], rounds: number): Promise<{ results: { captures: HelperCapture[]; lateMarkers: number }[]; stray: number }> {
    const r = await this.request('inject', { frames: frames.map((f) => ({ via: f.via, data: Buffer.from(f.data).toString('hex') })), rounds });
    const results = (r.results as { captures: [string, boolean, string][]; lateMarkers: number }[]).map((x) => ({
      lateMarkers: x.lateMarkers,
      captures: x.captures.map(([key, outgoing, hex]) => ({ key, outgoing, data: new Uint8Array(Buffer.from(hex, 'hex')) })),
    }));
    return { results, stray: r.stray as number };
  }

  /** Flushes conntrack in each namespace; with `mark`, only the entries whose ct mark & mask equals the value. */
  async conntrackFlush(ns: string[], mark?: { value: number; mask: number }): Promise<void> {
    await this.request('ctflush', mark ? { ns, mark: [mark.value >>> 0, mark.mask >>> 0] } : { ns });
  }

  async sysctl(ns: string, values: [string, string][]): Promise<void> {
    await this.request('sysctl', { ns, values });
  }

  /** Runs argv inside a namespace (setns in the helper, then fork/exec: cheaper than `ip netns exec`). */
  async exec(ns: string, argv: string[], input = ''): Promise<{ status: number; stdout: string; stderr: string }> {
    const r = await this.request('exec', { ns, argv, input });
    return { status: r.status as number, stdout: r.stdout as string, stderr: r.stderr as string };
  }

  async runSteps(steps: { argv: string[]; input?: string; force?: boolean }[], parallel: boolean): Promise<{ status: number; stderr: string }[]> {
    const r = await this.request('run', { steps, parallel }, 120_000);
    return r.results as { status: number; stderr: string }[];
  }

  /**
   * Ends the long-lived batch processes and nftables contexts inside these namespaces (devices there were made
   * again: iproute2 may remember an interface's old index); the next command starts them again.
   */
  async respawn(ns: string[]): Promise<void> {
    if (!this.child) return;
    await this.request('respawn', { ns });
  }

  /** Closes every socket, batch process and nftables context in these namespaces (each keeps a deleted namespace alive). */
  async forget(ns: string[], marker = false): Promise<void> {
    if (!this.child) return;
    await this.request('forget', { ns, marker });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    try {
      await this.request('quit', {}, 2000);
    } catch {
      /* killed below */
    }
    if (child.pid !== undefined) killGroup(child.pid);
    else child.kill('SIGKILL');
    this.child = undefined;
  }

  /** Synchronous last resort (process exit handlers cannot await): the helper and everything it runs. */
  killNow(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.pid !== undefined) killGroup(child.pid);
    else child.kill('SIGKILL');
    for (const p of this.pending.values()) p.reject(new HelperError('netns helper was killed'));
    this.pending.clear();
  }
}
