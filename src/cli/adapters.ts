// Adapter names the CLI accepts: `reference` (profile vpp-18.01-contiv) and `reference:<profile>`.
import type { Adapter } from '../adapters/adapter.ts';
import { ReferenceAdapter } from '../adapters/reference/reference-adapter.ts';
import { MutantAdapter } from '../adapters/reference/mutant-adapter.ts';
import { mutantById, MUTANTS } from '../reference/mutants/index.ts';
import { PROFILES, type ProfileName } from '../reference/profiles.ts';
import { UsageError } from './io.ts';

export const ADAPTER_NAMES = ['reference', ...Object.keys(PROFILES).map((p) => `reference:${p}`), 'mutant:<id>'];

export function createAdapter(spec: string): Adapter {
  if (spec === 'reference') return new ReferenceAdapter();
  const m = /^reference:(.+)$/.exec(spec);
  if (m && m[1]! in PROFILES) return new ReferenceAdapter({ profile: m[1] as ProfileName });
  const mm = /^mutant:(.+)$/.exec(spec);
  if (mm) {
    const mutant = mutantById(mm[1]!);
    if (!mutant) throw new UsageError(`--adapter: unknown mutant '${mm[1]}' (known: ${MUTANTS.map((x) => x.id).join(', ')})`);
    return new MutantAdapter(mutant);
  }
  throw new UsageError(`--adapter: unknown adapter '${spec}' (known: ${ADAPTER_NAMES.join(', ')})`);
}
