// An adapter of your own: here a small one wrapping podflow's reference model that counts the frames it was
// given and delivered. A real one would drive your data path (a lab, a simulator, a CNI in namespaces) behind the
// same interface: setup(topology), apply(ACLs), inject(frames) → captures, reset(), teardown().
import { ReferenceAdapter, type Adapter, type AdapterAclConfig, type AdapterTopology, type Injection, type Observation } from 'podflow/adapters';

export class CountingAdapter implements Adapter {
  readonly name = 'counting-reference';
  readonly injected = { frames: 0, delivered: 0 };
  private readonly inner = new ReferenceAdapter();
  // The model's capabilities (traces, drop reasons, virtual time, the faults it performs): properties that need
  // them run on this adapter too.
  readonly capabilities = this.inner.capabilities;

  setup(topology: AdapterTopology, options?: Parameters<Adapter['setup']>[1]): Promise<void> {
    return this.inner.setup(topology, options);
  }

  apply(acls: AdapterAclConfig): Promise<void> {
    return this.inner.apply(acls);
  }

  async inject(frames: Injection[]): Promise<Observation> {
    const o = await this.inner.inject(frames);
    this.injected.frames += frames.length;
    this.injected.delivered += o.captures.filter((c) => c.point.endsWith(':rx')).length;
    return o;
  }

  updateTopology(topology: AdapterTopology): Promise<void> {
    return this.inner.updateTopology(topology);
  }

  fault(f: Parameters<NonNullable<Adapter['fault']>>[0]): Promise<void> {
    return this.inner.fault(f);
  }

  configState(): ReturnType<NonNullable<Adapter['configState']>> {
    return this.inner.configState();
  }

  sessionState(): ReturnType<NonNullable<Adapter['sessionState']>> {
    return this.inner.sessionState();
  }

  reset(): Promise<void> {
    return this.inner.reset();
  }

  teardown(): Promise<void> {
    return this.inner.teardown();
  }
}
