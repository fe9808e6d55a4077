// The kernel adapter on the real kernel with nft missing from PATH (needs root, ip, bridge, python3; CI installs
// them and fails here instead of skipping): the namespaces are built, loading the ACLs cannot run nft, and that is
// AdapterUnavailable in one line (the check says unknown), not a stack trace. Its own namespaces only, removed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { AdapterUnavailable } from '../../../src/adapters/adapter.ts';
import { findTool } from '../../../src/adapters/host.ts';
import { listNamespaces } from '../../../src/adapters/kernel/cleanup.ts';
import { KernelAdapter } from '../../../src/adapters/kernel/kernel-adapter.ts';
import { labTopology } from '../../../src/cli/lab.ts';
import { IN_CI, toolGate } from '../../support/external-tools.ts';

const isRoot = process.getuid?.() === 0;
const gate = toolGate({ tools: ['ip', 'bridge', 'python3', 'sysctl'] });
const reason = !isRoot ? 'not running as root' : gate.reason;
const skip = reason !== undefined && !IN_CI;
if (skip) console.warn(`[kernel] skipping the missing-nft test: ${reason}`);

describe.skipIf(skip)(`kernel adapter without nft${reason ? ` (${reason})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-no-nft-'));
  const saved = { PATH: process.env.PATH, PODFLOW_PYTHON: process.env.PODFLOW_PYTHON };
  let k: KernelAdapter | undefined;
  afterAll(async () => {
    process.env.PATH = saved.PATH;
    if (saved.PODFLOW_PYTHON === undefined) delete process.env.PODFLOW_PYTHON;
    else process.env.PODFLOW_PYTHON = saved.PODFLOW_PYTHON;
    await k?.teardown();
    rmSync(dir, { recursive: true, force: true });
    expect(listNamespaces().filter((n) => k !== undefined && n.startsWith(k.prefix))).toEqual([]);
  });

  test('setup() without nft is AdapterUnavailable with one line', async () => {
    if (reason !== undefined) throw new Error(`CI is set, so this test fails instead of skipping: ${reason}`);
    // the real interpreter (a pyenv shim needs more than this PATH), and a PATH of everything but nft
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const t of ['ip', 'bridge', 'sysctl']) symlinkSync(findTool(t)!, join(bin, t));
    process.env.PATH = bin;
    process.env.PODFLOW_PYTHON = python;
    k = new KernelAdapter();
    await expect(k.preflight()).rejects.toThrow(/nft \(Debian package nftables\) not found on PATH/);
    // setup runs nft in the pod namespaces (they are muted), apply loads the ACLs with it
    const e = await k.setup(labTopology(2, 1)).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(AdapterUnavailable);
    expect((e as Error).message).toMatch(/^kernel: nft not found on PATH \(Debian package nftables\): ip netns exec pf-\d+-[0-9a-z]+-\S+ nft /);
    expect((e as Error).message.split('\n')).toHaveLength(1);
  }, 60_000);
});
