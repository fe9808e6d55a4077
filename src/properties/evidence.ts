// The evidence of a check: every call the check made on the adapter under test since the case began — setup,
// ACLs, topology changes, resets, faults (the nemesis), and each injection with the observation that came back — recorded as it
// happened by a wrapper the runner puts around the adapter. A report is written from it: the received side is
// exactly what the check judged; the expected side is the reference model's answer to the very same calls
// (modelAnswer), never a re-run of the adapter or of another procedure.
import type { Adapter, AdapterAclConfig, AdapterServiceConfig, AdapterTopology, ConfigState, Fault, Injection, Observation, SessionState } from '../adapters/adapter.ts';

export type SetupOptions = Parameters<Adapter['setup']>[1];

export type EvidenceStep =
  | { op: 'setup'; topology: AdapterTopology; options?: SetupOptions }
  | { op: 'apply'; acls: AdapterAclConfig }
  /** Services rendered on the nodes (Adapter.applyServices) */
  | { op: 'apply-services'; services: AdapterServiceConfig }
  | { op: 'update-topology'; topology: AdapterTopology }
  | { op: 'reset' }
  /** a fault the nemesis performed (src/faults/), in order with the other calls */
  | { op: 'fault'; fault: Fault }
  /** the configuration the data path reported (Adapter.configState) */
  | { op: 'config-state'; state: ConfigState }
  /** the session tables the data path reported (Adapter.sessionState) */
  | { op: 'session-state'; state: SessionState }
  | { op: 'inject'; injections: Injection[]; observation: Observation };

export interface Evidence {
  /** the adapter the calls went to */
  adapter: string;
  steps: EvidenceStep[];
}

/** An adapter that records every call into `evidence.steps` (the runner clears it before each case). */
export interface RecordingAdapter extends Adapter {
  readonly evidence: Evidence;
  /** starts a new case: forgets the steps recorded so far */
  clear(): void;
}

/**
 * Wraps an adapter so each call is recorded (and, when `onObservation` is given, each observation passed to it,
 * e.g. to count coverage). Everything else is delegated unchanged; optional methods stay optional.
 */
export function recordingAdapter(adapter: Adapter, onObservation?: (o: Observation) => void): RecordingAdapter {
  const evidence: Evidence = { adapter: adapter.name, steps: [] };
  const wrapped: RecordingAdapter = {
    name: adapter.name,
    capabilities: adapter.capabilities,
    evidence,
    clear() {
      evidence.steps = [];
    },
    async setup(topology, options) {
      evidence.steps.push(options === undefined ? { op: 'setup', topology } : { op: 'setup', topology, options });
      await adapter.setup(topology, options);
    },
    async apply(acls) {
      evidence.steps.push({ op: 'apply', acls });
      await adapter.apply(acls);
    },
    async reset() {
      evidence.steps.push({ op: 'reset' });
      await adapter.reset();
    },
    teardown: () => adapter.teardown(),
    async inject(injections) {
      const observation = await adapter.inject(injections);
      evidence.steps.push({ op: 'inject', injections, observation });
      onObservation?.(observation);
      return observation;
    },
  };
  if (adapter.applyServices) {
    wrapped.applyServices = async (services) => {
      evidence.steps.push({ op: 'apply-services', services });
      await adapter.applyServices!(services);
    };
  }
  if (adapter.updateTopology) {
    wrapped.updateTopology = async (topology) => {
      evidence.steps.push({ op: 'update-topology', topology });
      await adapter.updateTopology!(topology);
    };
  }
  if (adapter.fault) {
    wrapped.fault = async (fault) => {
      evidence.steps.push({ op: 'fault', fault });
      await adapter.fault!(fault);
    };
  }
  if (adapter.configState) {
    wrapped.configState = async () => {
      const state = await adapter.configState!();
      evidence.steps.push({ op: 'config-state', state });
      return state;
    };
  }
  if (adapter.sessionState) {
    wrapped.sessionState = async () => {
      const state = await adapter.sessionState!();
      evidence.steps.push({ op: 'session-state', state });
      return state;
    };
  }
  if (adapter.reproduction) wrapped.reproduction = () => adapter.reproduction!();
  if (adapter.preflight) wrapped.preflight = () => adapter.preflight!();
  // A mutant of the renderer travels with the adapter (properties read it with renderFaultsOf).
  const faults = (adapter as { renderFaults?: unknown }).renderFaults;
  if (faults !== undefined) (wrapped as { renderFaults?: unknown }).renderFaults = faults;
  return wrapped;
}

/** Every injection of the evidence with what the adapter observed, in order. */
export function injections(e: Evidence): { injection: Injection; observation: Observation }[] {
  const out: { injection: Injection; observation: Observation }[] = [];
  for (const s of e.steps) if (s.op === 'inject') for (const injection of s.injections) out.push({ injection, observation: s.observation });
  return out;
}

/**
 * The reference model's answer to exactly the calls of the evidence: the same setup, ACLs, topology changes,
 * resets and injections, on `model` (a reference adapter of the profile the adapter is compared with). Returns
 * the evidence the model would have given (faults included: the model performs each as its meaning says). A call the model refuses ends the replay there (what was answered is
 * kept, with the reason).
 */
export async function modelAnswer(e: Evidence, model: Adapter): Promise<{ evidence: Evidence; stopped?: string }> {
  const out: Evidence = { adapter: model.name, steps: [] };
  try {
    for (const s of e.steps) {
      switch (s.op) {
        case 'setup':
          // The model keeps its own profile: the options' profile is the adapter's business.
          await model.setup(s.topology, s.options?.sessions ? { sessions: s.options.sessions } : {});
          out.steps.push(s);
          break;
        case 'apply':
          await model.apply(s.acls);
          out.steps.push(s);
          break;
        case 'apply-services':
          if (!model.applyServices) return { evidence: out, stopped: `${model.name} cannot render Services` };
          await model.applyServices(s.services);
          out.steps.push(s);
          break;
        case 'update-topology':
          if (!model.updateTopology) return { evidence: out, stopped: `${model.name} cannot change pods` };
          await model.updateTopology(s.topology);
          out.steps.push(s);
          break;
        case 'reset':
          await model.reset();
          out.steps.push(s);
          break;
        case 'fault':
          if (!model.fault || !(model.capabilities.faults ?? []).includes(s.fault.id)) return { evidence: out, stopped: `${model.name} cannot perform fault ${s.fault.id}` };
          await model.fault(s.fault);
          out.steps.push(s);
          break;
        case 'inject':
          out.steps.push({ op: 'inject', injections: s.injections, observation: await model.inject(s.injections) });
          break;
        case 'config-state':
          // what the model's own tables say at the same point (nothing, for a model that cannot report them)
          if (model.configState) out.steps.push({ op: 'config-state', state: await model.configState() });
          break;
        case 'session-state':
          if (model.sessionState) out.steps.push({ op: 'session-state', state: await model.sessionState() });
          break;
      }
    }
  } catch (err) {
    return { evidence: out, stopped: err instanceof Error ? err.message : String(err) };
  }
  return { evidence: out };
}
