// Runs a recipe's shell script for real, with `podflow` and `npx podflow` on PATH meaning this checkout's
// bin/podflow.js (so a script written for the container image or a GitHub runner runs here unchanged).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support.ts';

/** A folder with `podflow` and `npx` shims; put it first on PATH. */
export function podflowShims(dir: string): string {
  const bin = join(dir, 'shim-bin');
  mkdirSync(bin, { recursive: true });
  const podflow = join(ROOT, 'bin', 'podflow.js');
  writeFileSync(join(bin, 'podflow'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${podflow}" "$@"\n`);
  writeFileSync(join(bin, 'npx'), `#!/usr/bin/env bash\nif [ "$1" = podflow ]; then shift; exec "${process.execPath}" "${podflow}" "$@"; fi\necho "npx shim: only npx podflow here" >&2; exit 127\n`);
  chmodSync(join(bin, 'podflow'), 0o755);
  chmodSync(join(bin, 'npx'), 0o755);
  return bin;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** bash -c script (GitHub's default shell adds -e: pass bashFlags ['-e'] for a workflow step). */
export function runBash(script: string, o: { cwd: string; env: Record<string, string>; shims: string; bashFlags?: string[] }): ScriptRun {
  const r = spawnSync('bash', [...(o.bashFlags ?? []), '-c', script], {
    cwd: o.cwd,
    env: { PATH: `${o.shims}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? '/tmp', TMPDIR: process.env.TMPDIR ?? '/tmp', ...o.env },
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** runBash, without blocking the event loop (several scripts at once). */
export function runBashAsync(script: string, o: { cwd: string; env: Record<string, string>; shims: string; bashFlags?: string[] }): Promise<ScriptRun> {
  return new Promise((resolvePromise) => {
    const child = spawn('bash', [...(o.bashFlags ?? []), '-c', script], {
      cwd: o.cwd,
      env: { PATH: `${o.shims}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? '/tmp', TMPDIR: process.env.TMPDIR ?? '/tmp', ...o.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}
