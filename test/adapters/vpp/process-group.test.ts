// A command that does not answer in time is killed with its whole process group: a fake vppctl that starts a
// long-lived grandchild and hangs leaves nothing behind after the timeout, nor after podflow exits mid-command.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterUnavailable } from '../../../src/adapters/adapter.ts';
import { processGone } from '../../../src/adapters/host.ts';
import { runArgv, VppctlTransport } from '../../../src/adapters/vpp/transport.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-pgrp-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) if (!processGone(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A program that starts `sleep 1000` in the background (its pid into pidFile), then hangs itself. */
function hanging(name: string): { program: string; pidFile: string } {
  const pidFile = join(dir, `${name}.pid`);
  const program = join(dir, name);
  writeFileSync(program, `#!/bin/sh\nsleep 1000 &\necho $! > ${pidFile}\nsleep 1000\n`);
  chmodSync(program, 0o755);
  return { program, pidFile };
}

async function grandchild(pidFile: string): Promise<number> {
  for (let i = 0; i < 100 && !(existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')); i++) await new Promise((r) => setTimeout(r, 20));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  started.push(pid);
  return pid;
}

async function goneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (processGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('timed-out commands go with their process group', () => {
  it('runArgv: the hanging program and the grandchild it started are gone after the timeout', async () => {
    const { program, pidFile } = hanging('vppctl-hang');
    const run = runArgv([program, 'show', 'version'], { timeoutMs: 500, what: 'node 1: `show version`', adapter: 'vpp' });
    await expect(run).rejects.toThrow(AdapterUnavailable);
    await expect(run).rejects.toThrow(/no answer within 500 ms/);
    const pid = await grandchild(pidFile);
    expect(await goneSoon(pid)).toBe(true);
  });

  it('through the transport: AdapterUnavailable, and nothing left running', async () => {
    const { program, pidFile } = hanging('vppctl-hang2');
    const t = new VppctlTransport({ id: 3, vppctl: [program], files: dir, gbe: 'host-gbe', timeoutMs: 400 });
    await expect(t.cli('show version')).rejects.toThrow(/node 3: .*no answer within 400 ms/);
    expect(await goneSoon(await grandchild(pidFile))).toBe(true);
  });

  it('when podflow exits while a command runs, the command and its grandchild go too', async () => {
    const { program, pidFile } = hanging('vppctl-exit');
    const script = join(dir, 'exit-mid-command.ts');
    const transport = resolve(import.meta.dirname, '../../../src/adapters/vpp/transport.ts');
    writeFileSync(
      script,
      `import { runArgv } from ${JSON.stringify(transport)};\n` +
        `import { existsSync } from 'node:fs';\n` +
        `runArgv([${JSON.stringify(program)}], { timeoutMs: 60000, what: 'x', adapter: 'vpp' }).catch(() => {});\n` +
        `const t = setInterval(() => { if (existsSync(${JSON.stringify(pidFile)})) { clearInterval(t); setTimeout(() => process.exit(0), 100); } }, 20);\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000, cwd: resolve(import.meta.dirname, '../../..') });
    expect(r.status, r.stderr).toBe(0);
    const pid = await grandchild(pidFile);
    expect(await goneSoon(pid)).toBe(true);
  }, 40_000);
});
