// The kernel adapter when something is missing or breaks, without root: preflight names the missing tool and its
// Debian package in one line; a helper that dies is AdapterUnavailable (the check says unknown), not a stack
// trace; a helper request that does not come back in time kills the helper's whole process group.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AdapterUnavailable } from '../../../src/adapters/adapter.ts';
import { findTool, processGone } from '../../../src/adapters/host.ts';
import { HelperError, NetnsHelper } from '../../../src/adapters/kernel/helper.ts';
import { KERNEL_TOOLS, KernelAdapter, kernelPreflightProblem } from '../../../src/adapters/kernel/kernel-adapter.ts';
import { labTopology } from '../../../src/cli/lab.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-kernel-safety-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) if (!processGone(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const savedEnv = { PATH: process.env.PATH, PODFLOW_PYTHON: process.env.PODFLOW_PYTHON };
afterEach(() => {
  process.env.PATH = savedEnv.PATH;
  if (savedEnv.PODFLOW_PYTHON === undefined) delete process.env.PODFLOW_PYTHON;
  else process.env.PODFLOW_PYTHON = savedEnv.PODFLOW_PYTHON;
});

function program(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

/** A PATH directory with the given tools (links to the real ones, or fakes when the host lacks them). */
function pathWith(name: string, tools: readonly string[]): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (const t of tools) {
    const real = findTool(t);
    if (real) symlinkSync(real, join(d, t));
    else {
      writeFileSync(join(d, t), '#!/bin/sh\nexit 0\n');
      chmodSync(join(d, t), 0o755);
    }
  }
  return d;
}

describe('kernel adapter preflight', () => {
  const all = KERNEL_TOOLS.map(([t]) => t);

  it('names the missing tool and its Debian package, in one line', async () => {
    const path = pathWith('no-nft', all.filter((t) => t !== 'nft'));
    expect(kernelPreflightProblem({ uid: 0, path, python: 'python3' })).toBe('cannot drive network namespaces here, missing: nft (Debian package nftables) not found on PATH');
    process.env.PATH = path;
    delete process.env.PODFLOW_PYTHON;
    const k = new KernelAdapter();
    const e = await k.preflight().then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(AdapterUnavailable);
    expect((e as Error).message).toMatch(/^kernel: cannot drive network namespaces here, missing: .*nft \(Debian package nftables\) not found on PATH$/);
    expect((e as Error).message.split('\n')).toHaveLength(1);
  });

  it('names every missing tool, and missing root privileges', () => {
    const path = pathWith('only-ip', ['ip']);
    expect(kernelPreflightProblem({ uid: 1000, path, python: 'python3' })).toBe(
      'cannot drive network namespaces here, missing: root privileges (network namespaces need root; run with sudo); bridge (Debian package iproute2), nft (Debian package nftables), sysctl (Debian package procps), python3 (Debian package python3) not found on PATH',
    );
    expect(kernelPreflightProblem({ uid: 0, path: pathWith('all', all), python: 'python3' })).toBeUndefined();
  });
});

describe('kernel adapter when its helper breaks', () => {
  it('a helper that dies at start: setup is AdapterUnavailable with one line, not an arbitrary error', async () => {
    process.env.PODFLOW_PYTHON = program('python-dies', 'echo "Traceback: boom" >&2\nexit 3');
    const k = new KernelAdapter();
    const e = await k.setup(labTopology(2, 1)).then(() => undefined, (x: unknown) => x);
    await k.teardown().catch(() => {});
    expect(e).toBeInstanceOf(AdapterUnavailable);
    expect((e as Error).message).toMatch(/^kernel: netns helper (exited \(3\)|is not running)/);
    expect((e as Error).message.split('\n')).toHaveLength(1);
  });

  it('a helper that cannot be started (no such python) is AdapterUnavailable too', async () => {
    process.env.PODFLOW_PYTHON = join(dir, 'no-such-python');
    const k = new KernelAdapter();
    const e = await k.setup(labTopology(1, 1)).then(() => undefined, (x: unknown) => x);
    await k.teardown().catch(() => {});
    expect(e).toBeInstanceOf(AdapterUnavailable);
    expect((e as Error).message).toMatch(/^kernel: netns helper .*(could not start|not running)/);
  });

  it('a request that times out kills the helper and the grandchild it started', async () => {
    const pidFile = join(dir, 'helper-grandchild.pid');
    const h = new NetnsHelper(program('python-hangs', `sleep 1000 &\necho $! > ${pidFile}\nsleep 1000`));
    await expect(h.request('ctflush', { ns: [] }, 500)).rejects.toThrow(HelperError);
    for (let i = 0; i < 100 && !(existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')); i++) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    started.push(pid);
    let gone = false;
    for (let i = 0; i < 50 && !(gone = processGone(pid)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(gone).toBe(true);
    expect(h.running).toBe(false);
  });
});
