// Nothing outlives a run: namespaces carry the owning pid in their prefix (names.ts); a run first deletes the
// namespaces of dead podflow processes, and deletes its own on teardown, on process exit (also after a crash)
// and on SIGINT/SIGTERM when nobody else handles them. Only ever `ip netns del` of names we made.
import { spawnSync } from 'node:child_process';
import { listNamespaces, pidAlive } from '../host.ts';
import { LAB_PREFIX_RE, RUN_PREFIX_RE } from './names.ts';

export { listNamespaces };

export function namespacesWithPrefix(prefix: string): string[] {
  return listNamespaces().filter((n) => n.startsWith(prefix));
}

/** Deletes namespaces synchronously (usable in exit handlers); returns the names it could not delete. */
export function deleteNamespacesSync(names: readonly string[]): string[] {
  if (names.length === 0) return [];
  spawnSync('ip', ['-force', '-batch', '-'], { input: names.map((n) => `netns del ${n}\n`).join(''), encoding: 'utf8' });
  const left = new Set(listNamespaces());
  return names.filter((n) => left.has(n));
}

/** Deletes the namespaces of podflow runs whose process is gone (never lab setups: `podflow lab kernel down`). */
export function removeStaleNamespaces(): string[] {
  const stale = listNamespaces().filter((n) => {
    const m = RUN_PREFIX_RE.exec(n);
    return m !== null && !pidAlive(Number(m[1])) && !LAB_PREFIX_RE.test(n);
  });
  deleteNamespacesSync(stale);
  return stale;
}

const live = new Map<string, () => void>();
let installed = false;

/** Registers a run's prefix: its namespaces are deleted when the process exits, whatever the reason. */
export function registerForCleanup(prefix: string, beforeDelete: () => void = () => {}): () => void {
  live.set(prefix, beforeDelete);
  if (!installed) {
    installed = true;
    process.on('exit', cleanupAllSync);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.on(sig, () => {
        // someone else (podflow fuzz) handles the signal and exits later: the exit hook cleans up then
        if (process.listenerCount(sig) > 1) return;
        cleanupAllSync();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
    }
  }
  return () => live.delete(prefix);
}

export function cleanupAllSync(): void {
  for (const [prefix, before] of live) {
    try {
      before();
    } catch {
      /* the namespaces go anyway */
    }
    try {
      deleteNamespacesSync(namespacesWithPrefix(prefix));
    } catch {
      /* ip missing: nothing was created */
    }
  }
  live.clear();
}
