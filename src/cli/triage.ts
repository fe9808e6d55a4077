// Triage (issue 12, item 3): a failure's signature — property, first claim's code, its layer and field, the first
// divergent graph node of the report's analysis, the adapter without any seed — as a short stable hash; the
// signatures earlier runs of the same reports folder and the corpus have seen; and each counterexample of a run
// marked new (never seen) or known (with the run that first had it, or the corpus entry). The corpus keeps the
// smallest case per signature (corpus.ts).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCounterexample } from './report/analysis.ts';
import type { CounterexampleFiles } from './report/types.ts';
import { coverageNodeName, type Counterexample, type RunResult } from './results.ts';
import { corpusEntryProblem } from './corpus.ts';
import { readJsonFile } from './io.ts';
import { readRunFolders } from './history.ts';

/** What a signature is made of, in this order (hashed as a JSON list). */
export interface SignatureParts {
  property: string;
  code: string;
  /** the first claim's layer and field, e.g. `inner ipv4 ttl` ('' without) */
  place: string;
  /** the first divergent graph node (interface-specific output nodes as `interface-output`), '' without traces */
  node: string;
  adapter: string;
}

/** An adapter name without a seed in it (`…-seed7`, `…@seed7`, `seed=7`): the same fault whatever the seed. */
export function adapterWithoutSeed(name: string): string {
  return name.replace(/[-@:,;/ ]?seed[=:]?\d+/gi, '');
}

export function signatureParts(cx: Pick<Counterexample, 'property' | 'adapter' | 'claims' | 'packet'>, f: CounterexampleFiles | undefined): SignatureParts {
  const c = cx.claims?.[0];
  const first = f?.packets && f.packets.length > 0 ? analyzeCounterexample(f, cx as Counterexample).primary?.first : undefined;
  return {
    property: cx.property,
    code: c?.code ?? '',
    place: [c?.layer, c?.field].filter((x) => x !== undefined && x !== '').join(' '),
    node: first ? coverageNodeName(first.div.node) : '',
    adapter: adapterWithoutSeed(cx.adapter),
  };
}

/** The failure signature: 12 hex digits of the SHA-256 of its parts (stable across runs, seeds and machines). */
export function failureSignature(cx: Pick<Counterexample, 'property' | 'adapter' | 'claims' | 'packet'>, f: CounterexampleFiles | undefined): string {
  const p = signatureParts(cx, f);
  return createHash('sha256').update(JSON.stringify([p.property, p.code, p.place, p.node, p.adapter])).digest('hex').slice(0, 12);
}

/** The signatures seen before a run: by earlier runs (signature → first run ID) and by corpus entries (→ entry ID). */
export interface SeenFailures {
  runs: Map<string, string>;
  corpus: Map<string, string>;
  /** the corpus, to name the entry that keeps each failure after the run */
  corpusDir?: string | false;
}

/**
 * The failure signatures of every run folder in `reportsDir` (but `exceptRunId`), the earliest run first, and of
 * every corpus entry that records one. Unreadable folders and entries are passed over without a word (the fuzz run
 * must not fail on them; `podflow history` names them).
 */
export function seenFailures(reportsDir: string, corpusDir: string | false, exceptRunId?: string): SeenFailures {
  const runs = new Map<string, string>();
  for (const r of readRunFolders(reportsDir, () => {})) {
    if (r.result.info.runId === exceptRunId) continue;
    for (const p of r.result.properties) {
      for (const cx of p.counterexamples) {
        if (typeof cx.signature !== 'string' || runs.has(cx.signature)) continue;
        // a run that marked it known names where it was first seen (that folder may be gone since)
        const firstSeen = cx.triage?.status === 'known' && typeof cx.triage.firstSeenRun === 'string' ? cx.triage.firstSeenRun : r.result.info.runId;
        runs.set(cx.signature, firstSeen);
      }
    }
  }
  const corpus = new Map<string, string>();
  for (const e of corpusSignatures(corpusDir)) if (!corpus.has(e.signature)) corpus.set(e.signature, e.id);
  return { runs, corpus, corpusDir };
}

/** Every corpus entry folder (directly under `corpusDir`) whose case.json is a podflow entry and records a signature. */
export function corpusSignatures(corpusDir: string | false): { id: string; dir: string; signature: string; size: number }[] {
  if (corpusDir === false || !existsSync(corpusDir)) return [];
  const out: { id: string; dir: string; signature: string; size: number }[] = [];
  let dirents;
  try {
    dirents = readdirSync(corpusDir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const d of dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const dir = join(corpusDir, d.name);
    let e: unknown;
    try {
      e = readJsonFile(join(dir, 'case.json'));
    } catch {
      continue;
    }
    if (corpusEntryProblem(e) !== undefined) continue;
    const o = e as { id: string; signature?: unknown; case: unknown };
    // a podflow entry is in the folder named by its id
    if (o.id !== d.name || typeof o.signature !== 'string') continue;
    out.push({ id: o.id, dir, signature: o.signature, size: caseSize(o.case) });
  }
  return out;
}

/** A case's size for keeping the smallest per signature: the length of its JSON. */
export function caseSize(c: unknown): number {
  return JSON.stringify(c)?.length ?? 0;
}

/**
 * Gives every counterexample of a run its signature and marks it new or known against what was seen before the
 * run (seenFailures, taken when it started); two counterexamples of one run with one signature are both new. A
 * counterexample whose corpus entry was not saved (the corpus has a smaller case of it) names that entry.
 */
export function triageRun(result: RunResult, files: readonly CounterexampleFiles[], seen: SeenFailures): void {
  const kept = new Map<string, string>();
  if (result.properties.some((p) => p.counterexamples.length > 0)) for (const e of corpusSignatures(seen.corpusDir ?? false)) if (!kept.has(e.signature)) kept.set(e.signature, e.id);
  for (const p of result.properties) {
    for (const cx of p.counterexamples) {
      try {
        cx.signature = failureSignature(cx, files.find((f) => f.id === cx.id));
      } catch {
        continue; // files the analysis cannot read: the counterexample stays unmarked, the report is still written
      }
      const run = seen.runs.get(cx.signature);
      const entry = seen.corpus.get(cx.signature);
      cx.triage = run !== undefined ? { status: 'known', firstSeenRun: run } : entry !== undefined ? { status: 'known', corpusEntry: entry } : { status: 'new' };
      const keptAs = kept.get(cx.signature);
      if (keptAs !== undefined && keptAs !== cx.id) cx.triage.keptAs = keptAs;
    }
  }
}
