// Adapter names the CLI accepts: `reference` (profile vpp-18.01-contiv), `reference:<profile>`, `mutant:<id>`,
// `kernel` (Linux namespaces; needs root), `kernel:<fault>` (a deliberately wrong kernel rendering), `vpp` (a VPP
// lab: the lab file in PODFLOW_VPP_LAB, else the one `podflow lab vpp up` wrote) and `vpp:<fault>`.
import type { Adapter } from '../adapters/adapter.ts';
import { ReferenceAdapter } from '../adapters/reference/reference-adapter.ts';
import { MutantAdapter } from '../adapters/reference/mutant-adapter.ts';
import { PROFILES, type ProfileName } from '../reference/profiles.ts';
import { KernelAdapter } from '../adapters/kernel/kernel-adapter.ts';
import type { KernelFaults } from '../adapters/kernel/render-nftables.ts';
import { existsSync } from 'node:fs';
import { LabFileError, readLabFile } from '../adapters/vpp/lab-file.ts';
import { VppAdapter, type VppAdapterOptions } from '../adapters/vpp/vpp-adapter.ts';
import { DEFAULT_VPP_LAB_DIR } from './lab-vpp.ts';
import { UsageError } from './io.ts';
import { BUILT_IN_REGISTRY, createConfigAdapter, registryAdapter, registryMutant, type Registry } from './config.ts';

/** `vpp:<fault>`: the lab configured wrongly on purpose (the suite must catch it and save the vppctl script). */
export const VPP_FAULTS: Record<string, VppAdapterOptions> = {
  // NAT44 without the node IP's identity mappings and with another pool address: VXLAN leaves source-NATed.
  'snat-vxlan': { nat: { vxlanIdentity: false, addressIdentity: false, poolOffset: 100 } },
};

/** The lab file the vpp adapter uses: PODFLOW_VPP_LAB, else the local lab's. */
export function vppLabPath(): string {
  return process.env.PODFLOW_VPP_LAB ?? `${DEFAULT_VPP_LAB_DIR}/lab.yaml`;
}

function vppAdapter(spec: string, opts: VppAdapterOptions): Adapter {
  const path = vppLabPath();
  if (!process.env.PODFLOW_VPP_LAB && !existsSync(path)) throw new UsageError(`--adapter ${spec}: no VPP lab (set PODFLOW_VPP_LAB=lab.yaml, or start one: podflow lab vpp up --vpp /path/to/bin/vpp)`);
  try {
    return new VppAdapter(readLabFile(path), { ...opts, name: spec });
  } catch (e) {
    if (e instanceof LabFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** `kernel:<fault>`: the kernel adapter with a deliberately wrong rendering (the suite must catch it). */
export const KERNEL_FAULTS: Record<string, KernelFaults> = {
  'no-reflect': { noReflectiveRule: true },
  'snat-vxlan': { snatVxlan: true },
};

export const ADAPTER_NAMES = ['reference', ...Object.keys(PROFILES).map((p) => `reference:${p}`), 'mutant:<id>', 'kernel', ...Object.keys(KERNEL_FAULTS).map((f) => `kernel:${f}`), 'vpp', ...Object.keys(VPP_FAULTS).map((f) => `vpp:${f}`)];

/** Adapters that drive one shared data path (a lab): a run uses one worker. */
export function isSharedLab(spec: string): boolean {
  return /^(kernel|vpp)(:|$)/.test(spec);
}

/** The adapter a spec names: a built-in one, a mutant (built-in or the config's), or an adapter of the config. */
export function createAdapter(spec: string, registry: Registry = BUILT_IN_REGISTRY): Adapter {
  const configured = registryAdapter(registry, spec);
  if (configured) return createConfigAdapter(configured);
  if (spec === 'reference') return new ReferenceAdapter();
  const m = /^reference:(.+)$/.exec(spec);
  if (m && m[1]! in PROFILES) return new ReferenceAdapter({ profile: m[1] as ProfileName });
  const mm = /^mutant:(.+)$/.exec(spec);
  if (mm) {
    const mutant = registryMutant(registry, mm[1]!);
    if (!mutant) throw new UsageError(`--adapter: unknown mutant '${mm[1]}' (known: ${registry.mutants.map((x) => x.value.id).join(', ')})`);
    return new MutantAdapter(mutant);
  }
  if (spec === 'kernel') return new KernelAdapter();
  const mk = /^kernel:(.+)$/.exec(spec);
  if (mk) {
    const faults = KERNEL_FAULTS[mk[1]!];
    if (!faults) throw new UsageError(`--adapter: unknown kernel fault '${mk[1]}' (known: ${Object.keys(KERNEL_FAULTS).join(', ')})`);
    return new KernelAdapter({ faults, name: spec });
  }
  if (spec === 'vpp') return vppAdapter(spec, {});
  const mv = /^vpp:(.+)$/.exec(spec);
  if (mv) {
    const faults = VPP_FAULTS[mv[1]!];
    if (!faults) throw new UsageError(`--adapter: unknown vpp fault '${mv[1]}' (known: ${Object.keys(VPP_FAULTS).join(', ')})`);
    return vppAdapter(spec, faults);
  }
  throw new UsageError(`--adapter: unknown adapter '${spec}' (known: ${[...ADAPTER_NAMES, ...registry.adapters.map((a) => a.name)].join(', ')})`);
}
