// In-process CPU profiles for the bench (node:inspector's Profiler, the same sampler as `node --cpu-prof`): runs a
// piece of work under the profiler and sums self time per function, so a suite can publish where its time goes.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  /** `name (file:line)`, file relative to the repository (node: / internal frames by their URL) */
  fn: string;
  /** share of the profile's samples spent in the function itself, in % */
  selfPct: number;
  selfMs: number;
}

const ROOT = resolve(import.meta.dirname, '..');

function place(url: string): string {
  if (url.startsWith('file://')) {
    const rel = relative(ROOT, fileURLToPath(url));
    return rel.startsWith('node_modules/') ? rel.replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, '$1') : rel;
  }
  return url || '(native)';
}

/** Self time per function (summed over the call sites the profile tells apart), largest first. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Time per sample from timeDeltas (exact), else the average interval.
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i: charge it to sample i-1's node (what was running meanwhile).
    const d = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + d);
  }
  let total = 0;
  const byFn = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    // tsx puts a module on one line: the line says nothing then, the file does.
    const key = f.url ? `${name} (${place(f.url)}${f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''})` : name;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    total += us;
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .map(([fn, us]) => ({ fn, selfPct: total > 0 ? Math.round((us / total) * 1000) / 10 : 0, selfMs: Math.round(us / 100) / 10 }));
}

/** Self time per source file (the model, the properties, fast-check, V8's GC…), largest first. */
export function selfTimesByFile(profile: CpuProfile): { file: string; selfPct: number }[] {
  const fns = selfTimes(profile);
  const byFile = new Map<string, number>();
  for (const f of fns) {
    const m = /\(([^():]+)(?::\d+)?\)$/.exec(f.fn);
    const file = m ? m[1]! : f.fn;
    byFile.set(file, (byFile.get(file) ?? 0) + f.selfPct);
  }
  return [...byFile].sort((a, b) => b[1] - a[1]).map(([file, pct]) => ({ file, selfPct: Math.round(pct * 10) / 10 }));
}

/** Runs `work` under the CPU profiler (sampling every `intervalUs`) and returns its profile. */
export async function profiled(work: () => Promise<void>, intervalUs = 200): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let failed: unknown;
    try {
      await work();
    } catch (e) {
      failed = e;
    }
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    await session.post('Profiler.disable');
    if (failed !== undefined) throw failed;
    return profile;
  } finally {
    session.disconnect();
  }
}

/** Writes a profile that Chrome DevTools / speedscope open (`.cpuprofile`). */
export function saveProfile(profile: CpuProfile, file: string): void {
  writeFileSync(file, JSON.stringify(profile));
}
