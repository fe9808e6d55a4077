// The results store: one folder per run under the reports folder, written as the run goes — run.json when it
// starts (status running, pid), each counterexample's folder the moment it is shrunk, results.json after every
// property, and the reporters' files (summary.md, junit.xml, report.html) and `latest` at the end. Every file is
// written atomically (a temporary name in the same folder, then rename). Folders are unique per run and never
// replaced, so a report never deletes an older one; a later run marks the folder of a run that was killed
// (status running on this host, its pid gone) as killed and removes only the temporary files podflow itself left there.
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { pidAlive } from '../adapters/host.ts';
import { UsageError } from './io.ts';
import type { RunInfo } from './results.ts';

/** Writes a file atomically: a temporary file beside it (named for this process), then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(path, '..', `.tmp-${basename(path)}-${process.pid}`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function jsonText(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}


/** Creates `dir` if needed and checks podflow can write there: a clear usage error before the run, not after it. */
export function ensureWritableDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
    const probe = join(dir, `.tmp-probe-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${what} ${dir}: not writable (${err.code ?? err.message})`);
  }
}

/** How old a temporary file of a dead process must be before a later run removes it. */
export const LEFTOVER_AGE_MS = 5 * 60_000;

function ageMs(p: string): number {
  try {
    return Date.now() - statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/** The pid a temporary name of podflow's carries (`.tmp-<anything>-<pid>`), if it is one. */
function tmpPid(name: string): number | undefined {
  const m = /^\.tmp-.*-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Cleans what killed runs left in a reports or corpus folder: temporary files and folders of podflow's (`.tmp-…-<pid>`)
 * whose process is gone, at the top and one level down (inside run and entry folders), and run folders still
 * marked running by a dead process (marked killed). Returns what it did, one line each.
 */
export function cleanLeftovers(dir: string): string[] {
  const done: string[] = [];
  if (!existsSync(dir)) return done;
  const sweep = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const pid = tmpPid(e.name);
      // A folder shared between machines (shards on a volume): a pid says nothing about another host's
      // processes, so only leftovers older than a few minutes are taken as abandoned.
      if (pid !== undefined && pid !== process.pid && !pidAlive(pid) && ageMs(join(d, e.name)) > LEFTOVER_AGE_MS) {
        rmSync(join(d, e.name), { recursive: true, force: true });
        done.push(`removed ${join(d, e.name)} (left by process ${pid})`);
      }
    }
  };
  sweep(dir);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const run = join(dir, e.name);
    const runJson = join(run, 'run.json');
    if (existsSync(runJson)) {
      try {
        const info = JSON.parse(readFileSync(runJson, 'utf8')) as Partial<RunInfo>;
        if (info.status === 'running' && typeof info.pid === 'number' && info.pid !== process.pid && (info.host === undefined || info.host === hostname()) && !pidAlive(info.pid)) {
          writeFileAtomic(runJson, jsonText({ ...info, status: 'killed' }));
          done.push(`marked ${run} as killed (process ${info.pid} is gone)`);
        }
      } catch {
        // not ours to fix: a run.json podflow cannot read is left as it is
      }
    }
    for (const sub of [run, join(run, 'counterexamples')]) if (existsSync(sub)) sweep(sub);
  }
  return done;
}

/** A unique run folder name: `<base>`, else `<base>-2`, `-3`… (never an existing folder). */
export function uniqueRunFolder(reportsDir: string, base: string): string {
  let name = base;
  for (let k = 2; existsSync(join(reportsDir, name)) || existsSync(join(reportsDir, `.tmp-${name}-${process.pid}`)); k++) name = `${base}-${k}`;
  return name;
}

/** Points `<reportsDir>/latest` at a run folder (a relative link, replaced atomically). */
export function pointLatest(reportsDir: string, folder: string): void {
  const latest = join(reportsDir, 'latest');
  const tmp = join(reportsDir, `.tmp-latest-${process.pid}`);
  if (isLink(tmp)) unlinkSync(tmp);
  symlinkSync(basename(folder), tmp);
  if (existsSync(latest) && !isLink(latest)) {
    unlinkSync(tmp);
    return; // a real file or folder named latest is not ours to replace
  }
  renameSync(tmp, latest);
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
