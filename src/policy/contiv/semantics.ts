// The `contiv` semantics of a connection's first packet, two ways: the decision formula over Contiv's rendered
// tables (docs/datapath.md §5), and the reference data path walking a real first packet through the rendered VPP
// ACLs. The policy properties check that both agree, and compare them with the upstream oracle.
import { ip4, type Layer } from '../../packet/index.ts';
import type { ProfileName } from '../../reference/profiles.ts';
import { parseScenario, type Scenario } from '../../reference/scenario.ts';
import { Simulation, type Outcome } from '../../reference/simulate.ts';
import type { Connection } from '../types.ts';
import { clusterTopologyInput, type RenderedCluster } from './render.ts';
import { firstMatchContiv } from './rules.ts';
import type { Cluster } from '../types.ts';

export type PolicyVerdict = 'allow' | 'deny';

function protocolOf(conn: Connection): 'TCP' | 'UDP' | 'OTHER' {
  return conn.protocol === 'TCP' ? 'TCP' : conn.protocol === 'UDP' ? 'UDP' : 'OTHER';
}

/** §5: same node — the server's local table; across nodes — the client node's global table, then the server's local table. */
export function contivFormula(r: RenderedCluster, conn: Connection): PolicyVerdict {
  if (!('pod' in conn.dst)) return toAddress(r, conn);
  const s = r.podByKey.get(conn.dst.pod);
  if (!s) throw new RangeError(`unknown pod ${conn.dst.pod}`);
  const proto = protocolOf(conn);
  const port = proto === 'OTHER' ? 0 : conn.port;
  if (!('pod' in conn.src)) {
    // An address outside the pods (e.g. the NAT loopback after a service's SNAT) meets the server's local table.
    const src = ip4(conn.src.ip);
    return s.local.length > 0 && firstMatchContiv(s.local, src, s.ip, proto, port).action !== 'PERMIT' ? 'deny' : 'allow';
  }
  const c = r.podByKey.get(conn.src.pod);
  if (!c) throw new RangeError(`unknown pod ${conn.src.pod}`);
  if (c.nodeId !== s.nodeId) {
    const g = r.nodes.find((n) => n.id === c.nodeId)!.global;
    if (g.length > 0 && firstMatchContiv(g, c.ip, s.ip, proto, port).action !== 'PERMIT') return 'deny';
  }
  if (s.local.length > 0 && firstMatchContiv(s.local, c.ip, s.ip, proto, port).action !== 'PERMIT') return 'deny';
  return 'allow';
}

/**
 * A pod's connection to an address that is no pod (a host stack, a host outside the cluster): the Global ACL on the
 * way out of the client's node — tap0, loop0 or the main NIC — holds the client's egress policies (docs/datapath.md
 * §17); nothing on the far side judges it.
 */
function toAddress(r: RenderedCluster, conn: Connection): PolicyVerdict {
  if (!('pod' in conn.src) || 'pod' in conn.dst) throw new RangeError('contivFormula judges connections from a pod to a pod or an address');
  const c = r.podByKey.get(conn.src.pod);
  if (!c) throw new RangeError(`unknown pod ${conn.src.pod}`);
  const proto = protocolOf(conn);
  const port = proto === 'OTHER' ? 0 : conn.port;
  const g = r.nodes.find((n) => n.id === c.nodeId)!.global;
  return g.length > 0 && firstMatchContiv(g, c.ip, ip4(conn.dst.ip), proto, port).action !== 'PERMIT' ? 'deny' : 'allow';
}

/** The first packet of the connection (TCP SYN, UDP datagram, ICMP echo request, or an SCTP INIT-like packet). */
export function firstPacket(conn: Connection, srcIp: number, dstIp: number, srcPort = 40000): Layer[] {
  const ip: Layer = { kind: 'ipv4', src: srcIp, dst: dstIp, ttl: 64, flags: 2, id: 1 };
  switch (conn.protocol) {
    case 'TCP':
      return [ip, { kind: 'tcp', srcPort, dstPort: conn.port, flags: 0x02, seq: 1 }];
    case 'UDP':
      return [ip, { kind: 'udp', srcPort, dstPort: conn.port }, { kind: 'raw', data: Uint8Array.of(1, 2, 3, 4) }];
    case 'ICMP':
      return [ip, { kind: 'icmp', type: 8, id: 1, seq: 1 }];
    case 'SCTP': {
      // Common header: ports, verification tag, checksum (CRC32c is not checked by VPP's ACL).
      const sctp = new Uint8Array(12);
      sctp[0] = srcPort >>> 8;
      sctp[1] = srcPort & 0xff;
      sctp[2] = conn.port >>> 8;
      sctp[3] = conn.port & 0xff;
      return [{ ...ip, protocol: 132 }, { kind: 'raw', data: sctp }];
    }
  }
}

/** The reply to `firstPacket` from the server. */
export function replyPacket(conn: Connection, srcIp: number, dstIp: number, srcPort = 40000): Layer[] {
  const ip: Layer = { kind: 'ipv4', src: dstIp, dst: srcIp, ttl: 64, flags: 2, id: 2 };
  switch (conn.protocol) {
    case 'TCP':
      return [ip, { kind: 'tcp', srcPort: conn.port, dstPort: srcPort, flags: 0x12, seq: 7, ack: 2 }];
    case 'UDP':
      return [ip, { kind: 'udp', srcPort: conn.port, dstPort: srcPort }, { kind: 'raw', data: Uint8Array.of(5, 6) }];
    case 'ICMP':
      return [ip, { kind: 'icmp', type: 0, id: 1, seq: 1 }];
    case 'SCTP': {
      const sctp = new Uint8Array(12);
      sctp[0] = conn.port >>> 8;
      sctp[1] = conn.port & 0xff;
      sctp[2] = srcPort >>> 8;
      sctp[3] = srcPort & 0xff;
      return [{ ...ip, protocol: 132 }, { kind: 'raw', data: sctp }];
    }
  }
}

/** A model of the cluster's data path with Contiv's rendered ACLs, to send connections through. */
export class ContivDataPath {
  readonly sim: Simulation;
  private readonly scenario: Scenario;
  private n = 0;

  constructor(
    cluster: Cluster,
    readonly rendered: RenderedCluster,
    profile: ProfileName = 'vpp-18.01-contiv',
  ) {
    this.scenario = parseScenario(clusterTopologyInput(cluster), 'cluster');
    this.sim = new Simulation(this.scenario, profile, { acls: new Map(rendered.nodes.map((n) => [n.id, n.config])) });
  }

  /** Forgets every ACL and NAT session on every node: the next connection starts from fresh state. */
  reset(): void {
    for (const vpp of this.sim.vpps.values()) {
      vpp.aclSessions.clear();
      vpp.natSessions.clear();
    }
  }

  /**
   * Sends the first packet and, if it arrives, the reply; returns both outcomes. State carries over between
   * calls (as on a real node): call reset() first to judge a connection on fresh state.
   */
  connect(conn: Connection, srcPort = 40000 + (this.n % 20000)): { request: Outcome; reply?: Outcome } {
    if (!('pod' in conn.src) || !('pod' in conn.dst)) throw new RangeError('the data path connects pods');
    const c = this.rendered.podByKey.get(conn.src.pod)!;
    const s = this.rendered.podByKey.get(conn.dst.pod)!;
    const at = this.n++ * 0.001;
    const send = (from: string, layers: Layer[]): Outcome => {
      const pod = this.sim.topology.podByName.get(from)!;
      return this.sim.inject({ at, from: { pod: from }, bytes: this.sim.podFrame(pod, layers) }, this.n).outcomes[0]!;
    };
    const request = send(conn.src.pod, firstPacket(conn, c.ip, s.ip, srcPort));
    if (request.kind !== 'delivered') return { request };
    return { request, reply: send(conn.dst.pod, replyPacket(conn, c.ip, s.ip, srcPort)) };
  }
}

export function outcomeVerdict(o: Outcome): PolicyVerdict {
  return o.kind === 'delivered' ? 'allow' : 'deny';
}

