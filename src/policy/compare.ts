// contiv vs upstream on one connection: both verdicts, and when they differ, which documented Contiv
// interpretations explain it (docs/datapath.md §10.10) — or that none does, which is a finding.
import { ip4ToString } from '../packet/index.ts';
import { renderCluster, type RenderedCluster } from './contiv/render.ts';
import { ContivRenderError } from './contiv/processor.ts';
import { contivFormula } from './contiv/semantics.ts';
import { contivize, DIVERGENCES, type DivergenceId } from './divergences.ts';
import { allowed } from './upstream.ts';
import type { Cluster, Connection } from './types.ts';

export type Comparison =
  | { kind: 'agree'; verdict: 'allow' | 'deny' }
  | { kind: 'divergence'; ids: DivergenceId[]; contiv: 'allow' | 'deny' | 'render-error'; upstream: 'allow' | 'deny' }
  | { kind: 'undocumented'; contiv: 'allow' | 'deny'; upstream: 'allow' | 'deny'; contivized: 'allow' | 'deny' };

/** A cluster rendered once, for judging many connections. */
export class PolicyComparer {
  readonly rendered?: RenderedCluster;
  readonly renderError?: ContivRenderError;
  readonly podIps: Map<string, string>;
  private readonly contivized = new Map<string, Cluster>();

  constructor(readonly cluster: Cluster) {
    try {
      this.rendered = renderCluster(cluster);
    } catch (e) {
      if (!(e instanceof ContivRenderError)) throw e;
      this.renderError = e;
    }
    // Pod IPs come from Contiv's IPAM (the render), or from the same allocation when rendering failed.
    const r = this.rendered ?? renderCluster({ ...cluster, policies: [] });
    this.podIps = new Map([...r.podByKey].map(([k, p]) => [k, ip4ToString(p.ip)]));
  }

  upstream(conn: Connection, ids?: readonly DivergenceId[]): 'allow' | 'deny' {
    const key = ids ? ids.join(',') : '';
    let c = this.cluster;
    if (ids) {
      c = this.contivized.get(key) ?? contivize(this.cluster, ids);
      this.contivized.set(key, c);
    }
    return allowed(c, conn, this.podIps) ? 'allow' : 'deny';
  }

  compare(conn: Connection): Comparison {
    const upstream = this.upstream(conn);
    if (this.renderError) return { kind: 'divergence', ids: ['D6'], contiv: 'render-error', upstream };
    const contiv = contivFormula(this.rendered!, conn);
    if (contiv === upstream) return { kind: 'agree', verdict: contiv };
    if (this.isNatLoopback(conn)) return { kind: 'divergence', ids: ['D7'], contiv, upstream };
    const contivized = this.upstream(conn, DIVERGENCES.map((d) => d.id));
    if (contivized !== contiv) return { kind: 'undocumented', contiv, upstream, contivized };
    // The interpretations whose transformation alone flips the verdict; all together when none does alone.
    const single = DIVERGENCES.filter((d) => d.contivize && this.upstream(conn, [d.id]) === contiv).map((d) => d.id);
    return { kind: 'divergence', ids: single.length > 0 ? single : DIVERGENCES.filter((d) => d.contivize).map((d) => d.id), contiv, upstream };
  }

  private isNatLoopback(conn: Connection): boolean {
    if (!('ip' in conn.src) || !('pod' in conn.dst)) return false;
    const s = this.rendered!.podByKey.get(conn.dst.pod)!;
    const node = this.rendered!.topology.nodeById.get(s.nodeId)!;
    return conn.src.ip === ip4ToString(node.natLoopback);
  }
}
