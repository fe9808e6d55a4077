// A fuzz worker thread: runs its share of the catalogue against its own adapter and posts each property's result.
import { parentPort, workerData } from 'node:worker_threads';
import type { FaultId } from '../adapters/adapter.ts';
import { NEMESIS_PROPERTY_ID, nemesisProperty } from '../properties/faults-keep-the-invariants.ts';
import { PROPERTIES } from '../properties/index.ts';
import { createAdapter } from './adapters.ts';
import { runProperty } from './fuzz-runner.ts';

export interface WorkerJob {
  adapter: string;
  properties: string[];
  seed: number;
  runs: number;
  chunk: number;
  maxUnknown: number;
  steer: boolean;
  deadlines: (number | undefined)[];
  /** `--nemesis`: the faults the nemesis property draws from */
  nemesis?: FaultId[];
}

let interrupted = false;
parentPort!.on('message', (m: unknown) => {
  if (m === 'interrupt') interrupted = true;
});

const job = workerData as WorkerJob;
const adapter = createAdapter(job.adapter);
for (const [i, id] of job.properties.entries()) {
  if (interrupted) break;
  const p = id === NEMESIS_PROPERTY_ID && job.nemesis ? nemesisProperty(job.nemesis) : PROPERTIES.find((x) => x.id === id)!;
  const deadline = job.deadlines[i];
  const r = await runProperty(p, adapter, {
    seed: job.seed,
    runs: job.runs,
    chunk: job.chunk,
    maxUnknown: job.maxUnknown,
    steer: job.steer,
    ...(deadline !== undefined ? { deadline } : {}),
    interrupted: () => interrupted,
    onChunk: (n) => parentPort!.postMessage({ kind: 'progress', id, runs: n }),
    // The main thread saves it at once (report folder and corpus) with its evidence.
    onCounterexample: (cx) => parentPort!.postMessage({ kind: 'counterexample', counterexample: cx }),
  });
  parentPort!.postMessage({ kind: 'result', result: { ...r, counterexamples: r.counterexamples.map(({ evidence: _e, ...cx }) => cx) } });
}
parentPort!.postMessage({ kind: 'done', interrupted });
// The message listener would keep the thread alive: close the port so the worker exits.
parentPort!.close();
