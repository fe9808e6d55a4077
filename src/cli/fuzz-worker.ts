// A fuzz worker thread (`podflow fuzz --workers N`): runs its share of every property's chunks (fuzz-workers.ts)
// against its own adapter and posts each property's result. From dist/ this file runs as compiled JavaScript;
// from the sources (tsx, tests) fuzz-worker-entry.mjs registers tsx first.
import { parentPort, workerData } from 'node:worker_threads';
import type { FaultId } from '../adapters/adapter.ts';
import { NEMESIS_PROPERTY_ID, nemesisProperty } from '../properties/faults-keep-the-invariants.ts';
import { createAdapter } from './adapters.ts';
import { loadRegistry, registryProperty } from './config.ts';
import { runProperty } from './fuzz-runner.ts';
import type { ChunkShare } from './fuzz-workers.ts';
import type { Counterexample, PropertyResult } from './results.ts';

export interface WorkerJob {
  adapter: string;
  /** every property of the run, in catalogue order */
  properties: string[];
  seed: number;
  /** this worker's cases of each property: its chunks' (shareRuns), or Number.MAX_SAFE_INTEGER with a time budget */
  runs: number;
  chunk: number;
  /** every chunk's cases on one topology (cli/grouping.ts) */
  groupByTopology: boolean;
  /** which of each property's chunks this worker runs */
  share: ChunkShare;
  maxUnknown: number;
  steer: boolean;
  /** `--time`: when the run's budget ends (epoch ms); each property gets an equal part of what is left, as with one worker */
  deadline?: number;
  /** `--nemesis`: the faults the nemesis property draws from */
  nemesis?: FaultId[];
  /** the podflow config the run loaded (absolute path): its properties, adapters and mutants (cli/config.ts) */
  config?: string;
}

/** What a worker posts: ready (modules loaded, adapter made), progress after each chunk, results, counterexamples, done. */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'progress'; id: string; runs: number }
  | { kind: 'result'; result: PropertyResult }
  | { kind: 'counterexample'; counterexample: Counterexample }
  | { kind: 'done'; interrupted: boolean };

let interrupted = false;
parentPort!.on('message', (m: unknown) => {
  if (m === 'interrupt') interrupted = true;
});
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);

/** how often, at most, a worker reports its progress (the progress bar's cases and rate) */
const PROGRESS_EVERY_MS = 250;
let progressAt: number | undefined;

const job = workerData as WorkerJob;
// The run's config, loaded again in this thread (functions do not cross threads); the main thread loaded it already.
const registry = await loadRegistry(job.config);
const adapter = createAdapter(job.adapter, registry);
post({ kind: 'ready' });
for (const [i, id] of job.properties.entries()) {
  if (interrupted) break;
  const p = id === NEMESIS_PROPERTY_ID && job.nemesis ? nemesisProperty(job.nemesis) : registryProperty(registry, id)!;
  const deadline = job.deadline === undefined ? undefined : Date.now() + (job.deadline - Date.now()) / (job.properties.length - i);
  const r = await runProperty(p, adapter, {
    seed: job.seed,
    runs: job.runs,
    chunk: job.chunk,
    chunks: job.share,
    groupByTopology: job.groupByTopology,
    maxUnknown: job.maxUnknown,
    steer: job.steer,
    ...(deadline !== undefined ? { deadline } : {}),
    interrupted: () => interrupted,
    // The first chunk at once (the run records when each worker got going), then at most every PROGRESS_EVERY_MS:
    // a message per chunk of 25 cases cost a worker 2–3 % of its time in postMessage (--cpu-prof).
    onChunk: (n) => {
      const now = performance.now();
      if (progressAt === undefined || now - progressAt >= PROGRESS_EVERY_MS) {
        progressAt = now;
        post({ kind: 'progress', id, runs: n });
      }
    },
    // The main thread saves it at once (report folder and corpus) with its evidence.
    onCounterexample: (counterexample) => post({ kind: 'counterexample', counterexample }),
  });
  post({ kind: 'result', result: { ...r, counterexamples: r.counterexamples.map(({ evidence: _e, ...cx }) => cx) } });
}
post({ kind: 'done', interrupted });
// The message listener would keep the thread alive: close the port so the worker exits.
parentPort!.close();
