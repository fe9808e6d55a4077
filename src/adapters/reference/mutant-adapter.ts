// A reference model with one mutant applied: the adapter `mutant:<id>`, for checking that the invariant
// catalogue catches each named fault.
import type { Mutant } from '../../reference/mutants/index.ts';
import type { ProfileName } from '../../reference/profiles.ts';
import { ReferenceAdapter } from './reference-adapter.ts';

export class MutantAdapter extends ReferenceAdapter {
  /** structurally the policy renderer's RenderFaults (adapters do not import the policy code) */
  readonly renderFaults: NonNullable<Mutant['render']>;

  constructor(readonly mutant: Mutant, profile: ProfileName = 'vpp-18.01-contiv') {
    super({
      profile,
      name: `mutant:${mutant.id}`,
      ...(mutant.nat ? { nat: mutant.nat } : {}),
      ...(mutant.sessions ? { sessions: mutant.sessions } : {}),
      ...(mutant.configure ? { afterConfigure: mutant.configure } : {}),
      ...(mutant.faults ? { faults: mutant.faults } : {}),
      ...(mutant.onFault ? { afterFault: mutant.onFault } : {}),
    });
    this.renderFaults = mutant.render ?? {};
  }
}
