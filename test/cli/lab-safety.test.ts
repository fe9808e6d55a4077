// `podflow lab … down` removes only what that lab created. Lab state lives in a private directory (never /tmp),
// carries a random token, and `down` refuses — one line, nothing removed — a state or lab file that names a
// namespace or directory podflow did not create for that lab. Tests that create namespaces need root and use
// names of their own (pfsafe<pid>…, or the token of a state they wrote), always removed.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { listNamespaces } from '../../src/adapters/host.ts';
import { LAB_MARKER, LabRefused, labDown, labStatePath, labUp, type LocalLabState } from '../../src/adapters/vpp/local-lab.ts';
import { parseLabFile } from '../../src/adapters/vpp/lab-file.ts';
import { UsageError } from '../../src/cli/io.ts';
import { checkKernelLabState, kernelLabDownPlan, kernelLabStatePath } from '../../src/cli/lab.ts';
import { main } from '../../src/cli/main.ts';

const isRoot = process.getuid?.() === 0;
const rootReason = isRoot ? undefined : 'not running as root (network namespaces)';
if (rootReason) console.warn(`[lab-safety] skipping the tests that create namespaces: ${rootReason}`);

const dir = mkdtempSync(join(tmpdir(), 'pf-lab-safety-'));
const stateDirOf = (name: string): string => {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  chmodSync(d, 0o700);
  return d;
};
const madeNs: string[] = [];
function addNs(name: string): string {
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip netns add ${name}: ${r.stderr}`);
  madeNs.push(name);
  return name;
}
const nsExists = (name: string): boolean => listNamespaces().includes(name);

const savedStateDir = process.env.PODFLOW_STATE_DIR;
beforeEach(() => {
  process.env.PODFLOW_STATE_DIR = stateDirOf(`state-${Math.random().toString(36).slice(2, 8)}`);
});
afterEach(() => {
  if (savedStateDir === undefined) delete process.env.PODFLOW_STATE_DIR;
  else process.env.PODFLOW_STATE_DIR = savedStateDir;
  vi.restoreAllMocks();
});
afterAll(() => {
  for (const n of madeNs) spawnSync('ip', ['netns', 'del', n]);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out: out.join(''), err: err.join('') };
}

function oneLine(err: string): string {
  expect(err.endsWith('\n'), err).toBe(true);
  expect(err.trimEnd().split('\n'), err).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
  return err.trimEnd();
}

describe('the lab state directory', () => {
  it('is the private directory, not /tmp', () => {
    expect(kernelLabStatePath()).toBe(join(process.env.PODFLOW_STATE_DIR!, 'lab-kernel.json'));
    expect(labStatePath('0'.repeat(32))).toBe(join(process.env.PODFLOW_STATE_DIR!, `vpp-lab-${'0'.repeat(32)}.json`));
  });

  it('is refused when group or world can write it, when it is a link, or not owned by the user', async () => {
    const open = join(dir, 'world-writable');
    mkdirSync(open);
    chmodSync(open, 0o777);
    process.env.PODFLOW_STATE_DIR = open;
    expect(oneLine((await cli(['lab', 'kernel', 'status'])).err)).toMatch(/^podflow: lab state: .*world-writable is writable by group or others \(mode 777\); refusing to use it for lab state$/);
    expect(() => labStatePath('0'.repeat(32))).toThrow(LabRefused);
    const link = join(dir, 'link');
    symlinkSync(stateDirOf('target'), link);
    process.env.PODFLOW_STATE_DIR = link;
    expect(oneLine((await cli(['lab', 'kernel', 'down'])).err)).toMatch(/is a symbolic link; refusing to use it for lab state$/);
    if (isRoot) {
      const other = stateDirOf('not-mine');
      spawnSync('chown', ['65534', other]);
      process.env.PODFLOW_STATE_DIR = other;
      expect(oneLine((await cli(['lab', 'kernel', 'down'])).err)).toMatch(/is owned by uid 65534, not by you \(uid 0\)/);
    }
  });
});

describe('lab kernel down refuses state podflow did not write', () => {
  const topology = { nodes: [] };
  it.each([
    ['an empty prefix (every namespace)', { token: 'deadbeef', prefix: '', namespaces: [], topology }, /prefix: expected 'pflab-deadbeef-'/],
    ['a prefix of other namespaces', { token: 'deadbeef', prefix: 'pf', namespaces: [], topology }, /prefix: expected/],
    ['no token (the old /tmp format)', { prefix: 'pflab-abc123-', topology, createdBy: 1 }, /token: expected 8 hex digits/],
    ['a namespace without the token', { token: 'deadbeef', prefix: 'pflab-deadbeef-', namespaces: ['pflab-deadbeef-u', 'victim'], topology }, /namespaces\[1\]: "victim" is not one of this lab's \(pflab-deadbeef-…\)/],
    ['a namespace of another lab', { token: 'deadbeef', prefix: 'pflab-deadbeef-', namespaces: ['pflab-0badf00d-u'], topology }, /namespaces\[0\]/],
  ])('%s', (_what, state, message) => {
    expect(() => kernelLabDownPlan('/run/podflow/lab-kernel.json', state, ['victim', 'pflab-0badf00d-u', 'pf-1-a-u'])).toThrow(UsageError);
    expect(() => checkKernelLabState('/run/podflow/lab-kernel.json', state)).toThrow(message);
    expect(() => checkKernelLabState('/run/podflow/lab-kernel.json', state)).toThrow(/refusing to remove anything$/);
  });

  it('plans only the namespaces that carry the token and exist', () => {
    const state = { token: 'deadbeef', prefix: 'pflab-deadbeef-', namespaces: ['pflab-deadbeef-u', 'pflab-deadbeef-n0'], topology };
    expect(kernelLabDownPlan('s', state, ['victim', 'pflab-deadbeef-u', 'pflab-deadbeef-p0-0', 'pflab-deadbee-u'])).toEqual(['pflab-deadbeef-u', 'pflab-deadbeef-p0-0']);
  });

  it.skipIf(!isRoot)(`through the CLI: a foreign namespace survives, with one clear line${rootReason ? ` (skipped: ${rootReason})` : ''}`, async () => {
    const victim = addNs(`pfsafe${process.pid}-victim`);
    writeFileSync(kernelLabStatePath(), JSON.stringify({ token: 'deadbeef', prefix: 'pflab-deadbeef-', namespaces: [victim], topology }));
    const r = await cli(['lab', 'kernel', 'down']);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toBe(`podflow: ${kernelLabStatePath()}: not a kernel lab state podflow wrote (namespaces[0]: "${victim}" is not one of this lab's (pflab-deadbeef-…)); refusing to remove anything`);
    expect(nsExists(victim)).toBe(true);
    expect(existsSync(kernelLabStatePath())).toBe(true);
  });

  it.skipIf(!isRoot)('through the CLI: the namespaces of podflow\'s own state go, nothing else', async () => {
    const token = (process.pid % 0xffffffff).toString(16).padStart(8, '0').slice(-8);
    const mine = addNs(`pflab-${token}-u`);
    const victim = addNs(`pfsafe${process.pid}-other`);
    writeFileSync(kernelLabStatePath(), JSON.stringify({ token, prefix: `pflab-${token}-`, namespaces: [mine, `pflab-${token}-n0`], topology }));
    const r = await cli(['lab', 'kernel', 'down']);
    expect(r.err).toBe('');
    expect(r.out).toBe(`removed 1 namespace(s) of pflab-${token}-\n`);
    expect(nsExists(mine)).toBe(false);
    expect(nsExists(victim)).toBe(true);
    expect(existsSync(kernelLabStatePath())).toBe(false);
  });

  it.skipIf(!isRoot)('lab kernel up and down for real: state in the private directory with the token, everything removed', async () => {
    const up = await cli(['lab', 'kernel', 'up', '--nodes', '1', '--pods', '1']);
    expect(up.code, up.err).toBe(0);
    const state = JSON.parse(readFileSync(kernelLabStatePath(), 'utf8')) as { token: string; prefix: string; namespaces: string[] };
    expect(state.prefix).toBe(`pflab-${state.token}-`);
    expect(state.namespaces.length).toBeGreaterThanOrEqual(3);
    for (const n of state.namespaces) expect(nsExists(n), n).toBe(true);
    const down = await cli(['lab', 'kernel', 'down']);
    expect(down.code, down.err).toBe(0);
    expect(listNamespaces().filter((n) => n.startsWith(state.prefix))).toEqual([]);
    expect(existsSync(kernelLabStatePath())).toBe(false);
  }, 60_000);
});

describe('lab vpp down refuses lab files podflow did not make', () => {
  /** A directory with files that must survive. */
  function victimDir(name: string): string {
    const d = join(dir, name);
    mkdirSync(join(d, 'node1'), { recursive: true });
    writeFileSync(join(d, 'precious.txt'), 'keep me\n');
    writeFileSync(join(d, 'node1', 'precious.txt'), 'keep me\n');
    return d;
  }
  function labDir(name: string, lab: Record<string, unknown>): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'lab.yaml'), stringify({ version: 1, nodes: [{ id: 1, vppctl: ['/bin/false'], files: join(String(lab.runDir ?? d), 'node1'), gbe: 'host-gbe' }], ...lab }));
    return d;
  }
  const token = 'ab'.repeat(16);
  function state(runDir: string, extra: Partial<LocalLabState> = {}): LocalLabState {
    const st: LocalLabState = { version: 1, token, runDir, madeRunDir: true, namespaces: [], nodes: [{ id: 1, dir: join(runDir, 'node1'), startup: join(runDir, 'node1', 'startup.conf') }], ...extra };
    writeFileSync(labStatePath(token), JSON.stringify(st));
    return st;
  }
  async function refused(d: string, message: RegExp): Promise<void> {
    const r = await cli(['lab', 'vpp', 'down', '--dir', d]);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toMatch(message);
  }
  const intact = (d: string) => {
    expect(readFileSync(join(d, 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(readFileSync(join(d, 'node1', 'precious.txt'), 'utf8')).toBe('keep me\n');
  };

  it('a lab file without a token (runDir: any directory)', async () => {
    const victim = victimDir('victim-a');
    await refused(labDir('foreign-a', { runDir: victim, namespaces: ['pfvppzz-ul'] }), /^podflow: lab vpp down: this lab file does not describe a local lab podflow started \(no runDir or token\).*nothing removed$/);
    intact(victim);
  });

  it('a token podflow has no state for', async () => {
    const victim = victimDir('victim-b');
    await refused(labDir('foreign-b', { runDir: victim, token }), /^podflow: lab vpp down: no state of a lab with token ab(ab)+ in .*: podflow removes only labs it started itself; nothing removed$/);
    intact(victim);
  });

  it('a runDir other than the one podflow recorded', async () => {
    const victim = victimDir('victim-c');
    state(join(dir, 'somewhere-else'));
    await refused(labDir('foreign-c', { runDir: victim, token }), /the lab file's runDir .*victim-c is not the one podflow recorded for this lab .*nothing removed$/);
    intact(victim);
  });

  it('a recorded directory without the lab\'s marker (replaced, or never podflow\'s)', async () => {
    const victim = victimDir('victim-d');
    state(victim);
    await refused(labDir('foreign-d', { runDir: victim, token }), /victim-d does not hold this lab's marker \(\.podflow-lab with its token\).*nothing removed$/);
    writeFileSync(join(victim, LAB_MARKER), `${'cd'.repeat(16)}\n`);
    await refused(labDir('foreign-d', { runDir: victim, token }), /does not hold this lab's marker/);
    intact(victim);
  });

  it('namespaces in the lab file that the state does not list', async () => {
    const run = join(dir, 'run-e');
    mkdirSync(run);
    writeFileSync(join(run, LAB_MARKER), `${token}\n`);
    state(run);
    await refused(labDir('foreign-e', { runDir: run, token, namespaces: ['pfvppzz-ul'] }), /names namespaces podflow did not create for this lab: pfvppzz-ul; nothing removed$/);
    expect(existsSync(join(run, LAB_MARKER))).toBe(true);
  });

  it('a state listing a namespace or directory that is not the lab\'s is not podflow\'s', async () => {
    const run = join(dir, 'run-f');
    mkdirSync(run);
    writeFileSync(join(run, LAB_MARKER), `${token}\n`);
    state(run, { namespaces: ['victim'] });
    await refused(labDir('foreign-f', { runDir: run, token }), /not a lab state podflow wrote \(namespaces: only pfvpp<tag>-ul\|n<id>\); nothing removed$/);
    state(run, { nodes: [{ id: 1, dir: '/etc', startup: '/etc/startup.conf' }] });
    await refused(labDir('foreign-f', { runDir: run, token }), /not a lab state podflow wrote \(nodes\)/);
    expect(existsSync(join(run, LAB_MARKER))).toBe(true);
  });

  it('removes exactly what carries the marker: files someone else put in the run directory stay', () => {
    const run = join(dir, 'run-g');
    mkdirSync(join(run, 'node1'), { recursive: true });
    for (const d of [run, join(run, 'node1')]) writeFileSync(join(d, LAB_MARKER), `${token}\n`);
    writeFileSync(join(run, 'node1', 'vpp.log'), 'log\n');
    writeFileSync(join(run, 'lab.yaml'), 'x');
    writeFileSync(join(run, 'not-podflows.txt'), 'keep me\n');
    state(run);
    const lab = parseLabFile(stringify({ version: 1, runDir: run, token, nodes: [{ id: 1, vppctl: ['/bin/false'], files: join(run, 'node1'), gbe: 'host-gbe' }] }), 'lab.yaml');
    const done = labDown(lab);
    expect(existsSync(join(run, 'node1'))).toBe(false);
    expect(existsSync(join(run, 'lab.yaml'))).toBe(false);
    expect(readFileSync(join(run, 'not-podflows.txt'), 'utf8')).toBe('keep me\n');
    expect(done).toContain(`left ${run}: it holds files podflow did not make`);
    expect(existsSync(labStatePath(token))).toBe(false);
  });

  it.skipIf(!isRoot)('deletes the state\'s namespaces that exist, never another', () => {
    const tag = `s${(process.pid % 46656).toString(36)}`;
    const mine = addNs(`pfvpp${tag}-ul`);
    const other = addNs(`pfvpp${tag}-n7`);
    const run = join(dir, 'run-h');
    mkdirSync(run);
    writeFileSync(join(run, LAB_MARKER), `${token}\n`);
    state(run, { namespaces: [mine, `pfvpp${tag}-n1`] });
    const lab = parseLabFile(stringify({ version: 1, runDir: run, token, namespaces: [mine], nodes: [{ id: 1, vppctl: ['/bin/false'], files: join(run, 'node1'), gbe: 'host-gbe' }] }), 'lab.yaml');
    expect(labDown(lab)).toContain(`deleted namespace ${mine}`);
    expect(nsExists(mine)).toBe(false);
    expect(nsExists(other)).toBe(true);
    expect(existsSync(run)).toBe(false);
  });
});

describe('lab vpp up starts only in a new or private empty directory', () => {
  const fakeVpp = (): string => {
    const bin = join(dir, 'vpp-bin');
    mkdirSync(bin, { recursive: true });
    for (const p of ['vpp', 'vppctl']) writeFileSync(join(bin, p), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    return join(bin, 'vpp');
  };
  it('refuses a directory with files in it, or one others can write, before making anything', async () => {
    const full = join(dir, 'full');
    mkdirSync(full, { mode: 0o700 });
    writeFileSync(join(full, 'precious.txt'), 'keep me\n');
    await expect(labUp({ vpp: fakeVpp(), nodes: 1, runDir: full, tag: 'zz1' })).rejects.toThrow(/--dir .*full exists and is not empty/);
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    await expect(labUp({ vpp: fakeVpp(), nodes: 1, runDir: open, tag: 'zz1' })).rejects.toThrow(/--dir .*open is writable by group or others/);
    expect(listNamespaces().filter((n) => n.startsWith('pfvppzz1'))).toEqual([]);
    expect(readFileSync(join(full, 'precious.txt'), 'utf8')).toBe('keep me\n');
  });
});

// With a VPP build (PODFLOW_VPP_BIN), a real one-node lab: up records the token, down removes all of it.
const BIN = process.env.PODFLOW_VPP_BIN;
const vppReason = !BIN ? 'PODFLOW_VPP_BIN is not set' : rootReason;
describe.skipIf(vppReason !== undefined)(`lab vpp up/down with VPP${vppReason ? ` (skipped: ${vppReason})` : ''}`, () => {
  it('up writes the token into lab.yaml, the markers and the state; down removes exactly that', async () => {
    const run = join(dir, 'real-lab');
    const { lab } = await labUp({ vpp: BIN!, nodes: 1, runDir: run, tag: `r${(process.pid % 1296).toString(36)}` });
    try {
      expect(lab.token).toMatch(/^[0-9a-f]{32}$/);
      expect(readFileSync(join(run, LAB_MARKER), 'utf8').trim()).toBe(lab.token);
      expect(readFileSync(join(run, 'node1', LAB_MARKER), 'utf8').trim()).toBe(lab.token);
      expect(existsSync(labStatePath(lab.token!))).toBe(true);
    } finally {
      labDown(lab);
    }
    expect(existsSync(run)).toBe(false);
    expect(listNamespaces().filter((n) => lab.namespaces!.includes(n))).toEqual([]);
    expect(existsSync(labStatePath(lab.token!))).toBe(false);
  }, 120_000);
});
