// What the adapters of real data paths (Linux namespaces, a local VPP lab) ask of the host they run on: the
// named network namespaces and whether a process still lives. Shared here so that neither adapter imports
// the other (the architecture test allows this file and the interface).
import { spawnSync } from 'node:child_process';

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
