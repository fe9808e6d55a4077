// node-restart on a local lab stops only a VPP that lab started: the lab file's token must find podflow's state, the
// state must record the node's pid, and that pid must be a VPP run with the node's startup file. Anything else is
// refused with one line and nothing is stopped (no VPP needed: the refusals come before anything runs).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../../src/adapters/host.ts';
import type { LabFile } from '../../../src/adapters/vpp/lab-file.ts';
import { LAB_MARKER, LabRefused, isLocalLab, labStatePath, restartLabNode, type LocalLabState } from '../../../src/adapters/vpp/local-lab.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-restart-safety-'));
chmodSync(dir, 0o700);
const saved = process.env.PODFLOW_STATE_DIR;
process.env.PODFLOW_STATE_DIR = join(dir, 'state');
mkdirSync(process.env.PODFLOW_STATE_DIR, { mode: 0o700 });
const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });

afterAll(() => {
  sleeper.kill('SIGKILL');
  if (saved === undefined) delete process.env.PODFLOW_STATE_DIR;
  else process.env.PODFLOW_STATE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('restartLabNode refuses what the lab did not start', () => {
  const token = 'a'.repeat(32);
  const runDir = join(dir, 'lab');
  const nodeDir = join(runDir, 'node1');
  mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
  for (const d of [runDir, nodeDir]) writeFileSync(join(d, LAB_MARKER), `${token}\n`);
  const lab: LabFile = { version: 1, profile: 'vpp-current', runDir, token, namespaces: ['pfvppzz-ul', 'pfvppzz-n1'], nodes: [{ id: 1, vppctl: ['/opt/vpp/bin/vppctl', '-s', join(nodeDir, 'cli.sock')], files: nodeDir, gbe: 'host-gbe', timeoutMs: 1000, pid: sleeper.pid!, netns: 'pfvppzz-n1' }] };
  const state: LocalLabState = { version: 1, token, runDir, madeRunDir: true, namespaces: lab.namespaces!, nodes: [{ id: 1, dir: nodeDir, startup: join(nodeDir, 'startup.conf'), pid: sleeper.pid! }] };

  it('a process that is not the node VPP (here `sleep`) is refused and left running', async () => {
    writeFileSync(labStatePath(token), JSON.stringify(state));
    expect(isLocalLab(lab)).toBe(true);
    await expect(restartLabNode(lab, 1)).rejects.toThrow(LabRefused);
    await expect(restartLabNode(lab, 1)).rejects.toThrow(/is not this lab's VPP .*nothing restarted/);
    expect(pidAlive(sleeper.pid!)).toBe(true);
  });

  it('a lab file without a token, a node the state does not know, a namespace not the lab own: refused', async () => {
    writeFileSync(labStatePath(token), JSON.stringify(state));
    const { token: _t, ...remote } = lab;
    expect(isLocalLab(remote)).toBe(false);
    await expect(restartLabNode(remote, 1)).rejects.toThrow(/podflow restarts only VPPs it started/);
    await expect(restartLabNode(lab, 2)).rejects.toThrow(/node 2: the lab's state records no VPP process/);
    await expect(restartLabNode({ ...lab, nodes: [{ ...lab.nodes[0]!, netns: 'someone-else' }] }, 1)).rejects.toThrow(/namespace someone-else is not one podflow created/);
    expect(pidAlive(sleeper.pid!)).toBe(true);
  });
});
