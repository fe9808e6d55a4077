// The corpus: each shrunk counterexample as a folder named by its content hash (case.json with the property,
// adapter, seed and path; scenario.json; pcaps), written atomically; replayed by `podflow replay` and by npm test.
// One entry per failure signature (triage.ts): the smallest case is kept (size: the length of its JSON).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcap } from '../packet/pcap.ts';
import { corpusEntryOf, type Counterexample } from './results.ts';
import { pcapName, safeFileName, type CounterexampleFiles } from './report/write.ts';
import { readJsonFile, UsageError } from './io.ts';
import { caseSize, corpusSignatures, failureSignature } from './triage.ts';

import type { CorpusEntry } from './results.ts';
import { parseBias } from './steering.ts';
export type { CorpusEntry };

/**
 * Saves a counterexample as a corpus entry with its failure signature, keeping the smallest case per signature:
 * when an entry of the same signature is as small or smaller, nothing is saved and its folder is returned; when
 * the new case is smaller, it is saved and the larger entries of that signature are removed (only folders that
 * are podflow entries, named by their id, whose case.json records that signature). Returns the kept entry.
 */
export function saveCorpusEntry(corpusDir: string, cx: Counterexample, files: CounterexampleFiles | undefined): string {
  const final = join(corpusDir, cx.id);
  if (existsSync(final)) return final; // same content, same name
  const signature = failureSignature(cx, files);
  const size = caseSize(cx.case);
  const rivals = corpusSignatures(corpusDir).filter((e) => e.signature === signature && e.id !== cx.id);
  const smaller = rivals.find((e) => e.size <= size);
  if (smaller) return smaller.dir;
  const tmp = join(corpusDir, `.tmp-${cx.id}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const entry: CorpusEntry = { ...corpusEntryOf(cx), signature };
  writeFileSync(join(tmp, 'case.json'), `${JSON.stringify(entry, null, 2)}\n`);
  if (files?.scenario !== undefined) writeFileSync(join(tmp, 'scenario.json'), `${JSON.stringify(files.scenario, null, 2)}\n`);
  if (files?.policiesYaml !== undefined) writeFileSync(join(tmp, 'policies.yaml'), files.policiesYaml);
  for (const r of files?.reproduction ?? []) writeFileSync(join(tmp, safeFileName(r.name)), r.text);
  for (const [side, pcaps] of [['expected', files?.expected], ['received', files?.received]] as const) {
    for (const [point, recs] of pcaps ?? []) writeFileSync(join(tmp, `${side}-${pcapName(point)}.pcap`), encodePcap(recs));
  }
  renameSync(tmp, final);
  for (const e of rivals) rmSync(e.dir, { recursive: true, force: true });
  return final;
}

/** A corpus entry's folder name: a content hash (or any plain file name), never a path. */
const ENTRY_ID_RE = /^(?!\.\.?$)[A-Za-z0-9._-]{1,128}$/;

/**
 * What is wrong with a parsed case.json, as `<field>: <what>` — or undefined when its fields have the types
 * CorpusEntry says (the case itself is checked against its property's schema by replay, properties/case-schema.ts).
 */
export function corpusEntryProblem(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return '(top level): expected an object with id, property, adapter and case';
  const o = e as Record<string, unknown>;
  const has = (k: string): boolean => Object.hasOwn(o, k) && o[k] !== undefined;
  const type = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`);
  for (const k of ['id', 'property', 'adapter', 'case']) if (!has(k)) return `${k}: missing field`;
  for (const k of ['id', 'property', 'adapter', 'path', 'details']) if (has(k) && typeof o[k] !== 'string') return `${k}: expected a string, got ${type(o[k])}`;
  if (!ENTRY_ID_RE.test(o.id as string)) return `id: expected a plain name (letters, digits, . _ -), got ${JSON.stringify(o.id)}`;
  if (has('seed') && (typeof o.seed !== 'number' || !Number.isInteger(o.seed))) return `seed: expected an integer, got ${type(o.seed)}`;
  if (has('seedSteps') && (!Array.isArray(o.seedSteps) || o.seedSteps.some((s) => typeof s !== 'string'))) return 'seedSteps: expected a list of strings';
  if (has('topologySeed') && (typeof o.topologySeed !== 'number' || !Number.isInteger(o.topologySeed) || o.topologySeed < 0)) return `topologySeed: expected a non-negative integer, got ${type(o.topologySeed)}`;
  if (has('steer') && parseBias(o.steer) === undefined) return 'steer: expected the bias podflow records ({ k: 2..8, weights: { feature: number } })';
  if (o.case === null || typeof o.case !== 'object' || Array.isArray(o.case)) return `case: expected an object (the shrunk case), got ${type(o.case)}`;
  return undefined;
}

/** Reads and checks an entry's case.json; a UsageError `<dir>/case.json: <field>: <what>` when it does not fit. */
export function loadCorpusEntry(dir: string): CorpusEntry {
  const file = join(dir, 'case.json');
  const e = readJsonFile(file);
  const problem = corpusEntryProblem(e);
  if (problem !== undefined) throw new UsageError(`${file}: ${problem}`);
  return e as CorpusEntry;
}

/** Every entry folder under a corpus directory (or the given entry folders). */
export function corpusEntries(paths: readonly string[], corpusDir: string): string[] {
  const roots = paths.length > 0 ? paths : [corpusDir];
  const out: string[] = [];
  for (const p of roots) {
    if (!existsSync(p)) {
      // what podflow prints: a counterexample id, found in the corpus or in a report folder
      const found = /^[0-9a-f]{16}$/.test(p) ? entryById(p, corpusDir) : undefined;
      if (found) {
        out.push(found);
        continue;
      }
      throw new UsageError(`${p}: no such corpus entry or folder${/^[0-9a-f]{16}$/.test(p) ? ` (no entry ${p} in ${corpusDir}/ nor in ${REPORTS_DIR}/*/counterexamples/)` : ''}`);
    }
    if (!statSync(p).isDirectory()) throw new UsageError(`${p}: not a folder (give corpus entry folders or corpus folders)`);
    if (existsSync(join(p, 'case.json'))) out.push(p);
    else {
      let dirents;
      try {
        dirents = readdirSync(p, { withFileTypes: true });
      } catch (e) {
        throw new UsageError(`${p}: cannot list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      for (const d of dirents) if (d.isDirectory() && !d.name.startsWith('.') && existsSync(join(p, d.name, 'case.json'))) out.push(join(p, d.name));
    }
  }
  return out.sort();
}

/** Where `podflow fuzz` writes reports by default: a counterexample id is also looked up there. */
export const REPORTS_DIR = 'reports';

/** The folder of a counterexample id: `<corpus>/<id>`, else the newest `reports/<run>/counterexamples/<id>` with a case.json. */
export function entryById(id: string, corpusDir: string): string | undefined {
  if (existsSync(join(corpusDir, id, 'case.json'))) return join(corpusDir, id);
  if (!existsSync(REPORTS_DIR)) return undefined;
  const runs = readdirSync(REPORTS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort().reverse();
  for (const run of runs) if (existsSync(join(REPORTS_DIR, run, 'counterexamples', id, 'case.json'))) return join(REPORTS_DIR, run, 'counterexamples', id);
  return undefined;
}
