// Adapter names the CLI accepts: `reference` (profile vpp-18.01-contiv), `reference:<profile>`, `mutant:<id>`,
// `kernel` (Linux namespaces; needs root) and `kernel:<fault>` (a deliberately wrong kernel rendering).
import type { Adapter } from '../adapters/adapter.ts';
import { ReferenceAdapter } from '../adapters/reference/reference-adapter.ts';
import { MutantAdapter } from '../adapters/reference/mutant-adapter.ts';
import { mutantById, MUTANTS } from '../reference/mutants/index.ts';
import { PROFILES, type ProfileName } from '../reference/profiles.ts';
import { KernelAdapter } from '../adapters/kernel/kernel-adapter.ts';
import type { KernelFaults } from '../adapters/kernel/render-nftables.ts';
import { UsageError } from './io.ts';

/** `kernel:<fault>`: the kernel adapter with a deliberately wrong rendering (the suite must catch it). */
export const KERNEL_FAULTS: Record<string, KernelFaults> = {
  'no-reflect': { noReflectiveRule: true },
  'snat-vxlan': { snatVxlan: true },
};

export const ADAPTER_NAMES = ['reference', ...Object.keys(PROFILES).map((p) => `reference:${p}`), 'mutant:<id>', 'kernel', ...Object.keys(KERNEL_FAULTS).map((f) => `kernel:${f}`)];

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
  if (spec === 'kernel') return new KernelAdapter();
  const mk = /^kernel:(.+)$/.exec(spec);
  if (mk) {
    const faults = KERNEL_FAULTS[mk[1]!];
    if (!faults) throw new UsageError(`--adapter: unknown kernel fault '${mk[1]}' (known: ${Object.keys(KERNEL_FAULTS).join(', ')})`);
    return new KernelAdapter({ faults, name: spec });
  }
  throw new UsageError(`--adapter: unknown adapter '${spec}' (known: ${ADAPTER_NAMES.join(', ')})`);
}
