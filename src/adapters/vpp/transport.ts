// How podflow reaches one VPP node: vppctl (or any argv prefix that ends in it, e.g. `ssh lab1 sudo vppctl`)
// run with argument arrays, never a shell string built from data; files (pcaps in, captures out, CLI scripts)
// go through the same node, directly on the local file system or through push/pull commands. Every failure to
// get an answer — a timeout, a missing program, a dead socket — is AdapterUnavailable: the check says
// "unknown", never "invalid". A command VPP rejects is a VppCliError (our configuration is wrong). Nothing is
// quoted for a remote shell: every word appended to a command prefix (CLI words, file paths) is checked to hold
// no character a shell interprets, and refused otherwise before anything runs. A command that does not answer
// in time is killed with its whole process group (ssh, sudo, whatever they started).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AdapterUnavailable } from '../adapter.ts';
import { killGroup, trackGroup } from '../host.ts';
import { CliSocket } from './cli-socket.ts';
import { isSafePath, type LabNode } from './lab-file.ts';

export interface Transport {
  readonly nodeId: number;
  /** runs one CLI command, returns what it printed */
  cli(command: string): Promise<string>;
  /** runs a configuration command; VppCliError unless VPP printed nothing or one of the expected confirmations */
  config(command: string): Promise<string>;
  close(): void;
  put(path: string, data: Uint8Array): Promise<void>;
  get(path: string): Promise<Uint8Array>;
  /** makes sure no stale file is read later: deletes it (local) or empties it (remote) */
  remove(path: string): Promise<void>;
}

export class VppCliError extends Error {
  constructor(
    readonly nodeId: number,
    readonly command: string,
    readonly output: string,
  ) {
    super(`node ${nodeId}: VPP rejected \`${command}\`: ${output.trim().split('\n')[0]}`);
    this.name = 'VppCliError';
  }
}

/**
 * Characters a CLI command may contain: all podflow renders (names, addresses, MACs, ranges, ACL tags), and
 * nothing a remote shell would interpret, so the same words are safe after `ssh host sudo vppctl`.
 */
const SAFE_COMMAND = /^[A-Za-z0-9 _.:/+,=\-[\]{}]*$/;

export function checkCommand(command: string): string[] {
  const words = command.split(' ').filter((w) => w.length > 0);
  // Braces and brackets only as words of their own (a stream definition's `{ … }`): `{a,b}` would be
  // brace-expanded by bash, `pg[0-9]` glob-expanded by any shell.
  // A first word `NAME=value` would be a variable assignment to a shell that gets the words as its command line.
  if (!SAFE_COMMAND.test(command) || words.some((w) => /[{}[\]]/.test(w) && w.length > 1) || words[0]?.includes('=')) throw new Error(`refusing to send a CLI command with shell metacharacters: ${JSON.stringify(command)}`);
  return words;
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs argv with stdin, a timeout and bounded output; rejects only when the program cannot be run or times out.
 * The program leads a process group of its own (`detached`): on a timeout the whole group is killed — an ssh, the
 * sudo it started, a stuck grandchild — and so is every group still running when podflow exits.
 */
export function runArgv(argv: readonly string[], opts: { timeoutMs: number; stdin?: Uint8Array; what: string; adapter: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const untrack = child.pid !== undefined ? trackGroup(child.pid) : () => {};
    const out: Buffer[] = [];
    let err = '';
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      if (child.pid !== undefined) killGroup(child.pid);
      else child.kill('SIGKILL');
      reject(new AdapterUnavailable(opts.adapter, `${opts.what}: no answer within ${opts.timeoutMs} ms (${argv[0]})`));
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      untrack();
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new AdapterUnavailable(opts.adapter, `${opts.what}: cannot run ${argv[0]}: ${e.code === 'ENOENT' ? 'no such program' : e.message}`));
    });
    child.on('close', (code) => {
      untrack();
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? undefined);
  });
}

/**
 * What configuration commands print when they succeed (vppctl exits 0 either way; VPP reports errors as text):
 * nothing, or the name of what they created, or an ACL index.
 */
const CONFIRMATION = /^\s*(?:(?:loop|vxlan_tunnel|host-|memif|pg)\S*|bridge-domain \d+|(?:Deleted )?ACL index:\d+)?\s*$/;

/** One command of runAll: `config` is checked as config() checks it; `cli` output is returned whatever it says. */
export interface Step {
  command: string;
  kind: 'config' | 'cli';
}

/**
 * Commands in order on one node, returning each output: a `config` command VPP rejects or answers with anything
 * but a confirmation is a VppCliError and the commands after it do not run; a `cli` command's output is returned
 * whatever it says. `ran(i, out)` is called after each command that succeeded, in order.
 */
export async function runAll(t: Transport, steps: readonly Step[], ran?: (i: number, out: string) => void): Promise<string[]> {
  const outs: string[] = [];
  for (const [i, s] of steps.entries()) {
    const out = s.kind === 'config' ? await t.config(s.command) : await t.cli(s.command);
    ran?.(i, out);
    outs.push(out);
  }
  return outs;
}

/** vppctl prints these when it cannot reach VPP (it still exits 0 on some versions). */
const UNREACHABLE = /(?:connect|Connection refused|No such file or directory|clib_socket_init|Broken pipe)/i;

/**
 * A local CLI socket the lab file names as `[…/vppctl, -s, <socket>]`: podflow then talks to the socket itself
 * (same protocol, no process per command). Any other prefix (ssh, sudo, a wrapper) is run as given.
 */
export function localSocketOf(node: LabNode): string | undefined {
  const v = node.vppctl;
  if (node.push || v.length !== 3 || !/(^|\/)vppctl$/.test(v[0]!) || v[1] !== '-s') return undefined;
  return v[2];
}

/** A path handed to a push/pull command (it may reach a remote shell): refused unless it is plainly safe. */
function remotePath(nodeId: number, path: string): void {
  if (!isSafePath(path)) throw new Error(`node ${nodeId}: refusing to pass a file path with characters a shell could interpret to push/pull: ${JSON.stringify(path)}`);
}

/** CLI commands sent by every VppctlTransport of this process and the time spent waiting for their answers (for the bench). */
export const CLI_STATS = { commands: 0, ms: 0 };

export class VppctlTransport implements Transport {
  readonly nodeId: number;
  private readonly socket?: CliSocket;

  constructor(
    private readonly node: LabNode,
    private readonly adapter = 'vpp',
  ) {
    this.nodeId = node.id;
    const path = process.env.PODFLOW_VPP_SPAWN ? undefined : localSocketOf(node);
    if (path) this.socket = new CliSocket(path, node.timeoutMs);
  }

  async config(command: string): Promise<string> {
    const out = await this.cli(command);
    if (!CONFIRMATION.test(out)) throw new VppCliError(this.nodeId, command, out);
    return out;
  }

  close(): void {
    this.socket?.close();
  }

  async cli(command: string): Promise<string> {
    const t0 = performance.now();
    try {
      return await this.send(command);
    } finally {
      CLI_STATS.commands++;
      CLI_STATS.ms += performance.now() - t0;
    }
  }

  private async send(command: string): Promise<string> {
    const words = checkCommand(command);
    if (this.socket) {
      try {
        return await this.socket.run(words.join(' '));
      } catch (e) {
        throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: ${(e as Error).message}`);
      }
    }
    const r = await runArgv([...this.node.vppctl, ...words], { timeoutMs: this.node.timeoutMs, what: `node ${this.node.id}: \`${command}\``, adapter: this.adapter });
    const text = r.stdout.toString();
    if (r.code !== 0 || (text.trim() === '' && UNREACHABLE.test(r.stderr))) {
      throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: vppctl exited with ${r.code ?? 'a signal'}: ${(r.stderr || text).trim().split('\n')[0] ?? ''}`);
    }
    return text;
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    if (!this.node.push) {
      // Local node: write atomically (a reader never sees half a file).
      try {
        mkdirSync(dirname(path), { recursive: true });
        const tmp = `${path}.tmp-${process.pid}`;
        writeFileSync(tmp, data);
        renameSync(tmp, path);
      } catch (e) {
        throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: cannot write ${path}: ${(e as Error).message}`);
      }
      return;
    }
    remotePath(this.node.id, path);
    const r = await runArgv([...this.node.push, path], { timeoutMs: this.node.timeoutMs, stdin: data, what: `node ${this.node.id}: push ${path}`, adapter: this.adapter });
    if (r.code !== 0) throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: push ${path} failed (${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
  }

  async remove(path: string): Promise<void> {
    if (this.node.push) return this.put(path, new Uint8Array(0));
    try {
      rmSync(path, { force: true });
    } catch (e) {
      throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: cannot remove ${path}: ${(e as Error).message}`);
    }
  }

  async get(path: string): Promise<Uint8Array> {
    if (!this.node.pull) {
      try {
        return new Uint8Array(readFileSync(path));
      } catch (e) {
        throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    remotePath(this.node.id, path);
    const r = await runArgv([...this.node.pull, path], { timeoutMs: this.node.timeoutMs, what: `node ${this.node.id}: pull ${path}`, adapter: this.adapter });
    if (r.code !== 0) throw new AdapterUnavailable(this.adapter, `node ${this.node.id}: pull ${path} failed (${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
    return new Uint8Array(r.stdout);
  }
}
