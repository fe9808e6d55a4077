// NAT44 as Contiv configures it for pod-to-pod traffic (docs/datapath.md §3.2, §9): interface roles, forwarding,
// identity mappings for the node IP, and the sessions identity translation creates. Nothing is translated.

export interface NatInterfaceRole {
  inside: boolean;
  outside: boolean;
  /** `nat44-in2out-output` on the TX side (the main NIC) */
  outputFeature: boolean;
}

export interface StaticMapping {
  local: number;
  external: number;
  /** undefined = address-only */
  proto?: number;
  port?: number;
  identity: boolean;
}

export interface NatConfig {
  forwarding: boolean;
  roles: Map<number, NatInterfaceRole>;
  mappings: StaticMapping[];
  /** address pool for SNAT (the node IP) */
  pool: number[];
  /** Services: load-balancing static mappings and the twice-NAT pool (nat-dnat.ts, docs/datapath.md §16.3) */
  lb?: LbStaticMapping[];
  twiceNatPool?: number[];
  /** picks a mapping's local for a new DNAT session (default: the flow hash of nat-dnat.ts, `defaultPickBackend`) */
  pickBackend?: PickBackend;
  /** the twice-NAT port of a new self-access session (default: nat-dnat.ts `twiceNatSource`); a data path's own draw */
  twiceNatPort?: (ctx: { nodeId: number; flow: DnatFlow }) => number | undefined;
}

/** A local (backend) of a load-balancing static mapping with its weight (0: the sole local). */
export interface LbLocal {
  addr: number;
  port: number;
  probability: number;
}

/** A NAT44 static mapping with load balancing (a Service address and port), docs/datapath.md §16.3. */
export interface LbStaticMapping {
  /** `namespace/name` of the Service */
  service: string;
  proto: number;
  external: number;
  externalPort: number;
  locals: LbLocal[];
  /** self-twice-NAT: when the chosen local is the client itself, its source becomes a twice-NAT pool address */
  selfTwiceNat: boolean;
  /** out2in-only: the mapping translates only connections opened towards it (a local's own are not translated) */
  out2inOnly: boolean;
}

/** The 5-tuple of a connection's first packet, as a backend picker sees it. */
export interface DnatFlow {
  src: number;
  sport: number;
  dst: number;
  dport: number;
  proto: number;
}

/**
 * Chooses the local of `mapping` for a new connection `flow` on node `nodeId`: an index into `mapping.locals`.
 * A caller comparing the model with a real data path returns the index of the backend the data path chose.
 * undefined or out of range: the default choice (nat-dnat.ts `defaultPickBackend`).
 */
export type PickBackend = (ctx: { nodeId: number; mapping: LbStaticMapping; flow: DnatFlow }) => number | undefined;

/** A DNAT session of a Service connection: the client's flow, the backend chosen and the twice-NAT source if any. */
export interface DnatSession {
  proto: number;
  client: { addr: number; port: number };
  service: { addr: number; port: number };
  backend: { addr: number; port: number };
  /** self-twice-NAT: the source the backend sees (a twice-NAT pool address and port) */
  twice?: { addr: number; port: number };
}

export interface NatSession {
  index: number;
  key: string;
  /** the source a dynamic SNAT session rewrites to; absent for identity and bypass sessions */
  to?: { addr: number; port: number };
  /** a dynamic SNAT session's inside source: what the reply's destination goes back to (docs/datapath.md §17.4) */
  inside?: { addr: number; port: number };
  /** NAT44-ED: the session's in2out flow as its trace prints it (`i2of match: …`) */
  i2o?: NatFlow;
  /** the whole flow as NAT44-ED keeps it (`show nat44 sessions`); absent: only `key` is known (sessionState prints `?`) */
  flow?: NatSessionFlow;
  /** a Service connection's DNAT session (nodes/nat-dnat.ts): found by its request and its reply flow */
  dnat?: DnatSession;
}

/** A NAT44-ED flow: addresses, ports (ICMP: the echo identifier twice) and protocol. */
export interface NatFlow {
  src: number;
  sport: number;
  dst: number;
  dport: number;
  proto: number;
}

/**
 * A NAT44-ED session as VPP 26.06 prints it: the protocol, the inside address and port (the `i2o` line), the outside
 * ones (`o2i`: the same for identity and forwarding-bypass sessions), the external host, and its kind — `static` for
 * sessions of a static or identity mapping, else dynamic; `forwardingBypass` for the sessions the in2out slow path
 * creates for flows it does not translate with forwarding enabled (nat44_ed_in2out slow path, `forwarding-bypass`).
 */
export interface NatSessionFlow {
  proto: number;
  inside: { addr: number; port: number };
  outside: { addr: number; port: number };
  external: { addr: number; port: number };
  static: boolean;
  forwardingBypass: boolean;
}

/** Per-VPP-instance NAT session pool: indices are history (masked in golden comparisons). */
export class NatSessionTable {
  readonly byKey = new Map<string, NatSession>();
  private next = 0;

  lookup(key: string): NatSession | undefined {
    return this.byKey.get(key);
  }

  peekIndex(): number {
    return this.next;
  }

  add(key: string, to?: { addr: number; port: number }, i2o?: NatFlow, flow?: NatSessionFlow, inside?: { addr: number; port: number }, alias?: readonly string[]): NatSession {
    const s: NatSession = { index: this.next++, key };
    if (to) s.to = to;
    if (i2o) s.i2o = i2o;
    if (flow) s.flow = flow;
    if (inside) s.inside = inside;
    this.byKey.set(key, s);
    // the same session under its other keys (a translation is found from both sides, docs/datapath.md §17.4)
    if (alias) for (const k of alias) this.byKey.set(k, s);
    return s;
  }

  clear(): void {
    this.byKey.clear();
  }
}

/** Static mapping for an outgoing packet by local address: exact (addr, proto, port) first, then address-only. */
export function mappingByLocal(cfg: NatConfig, addr: number, proto: number, port: number): StaticMapping | undefined {
  // Loops rather than find(): these run per packet on the NAT nodes.
  for (const m of cfg.mappings) if (m.local === addr && m.proto === proto && m.port === port) return m;
  for (const m of cfg.mappings) if (m.local === addr && m.proto === undefined) return m;
  return undefined;
}

/** Static mapping for an incoming packet by external address: exact (addr, proto, port) first, then address-only. */
export function mappingByExternal(cfg: NatConfig, addr: number, proto: number, port: number): StaticMapping | undefined {
  for (const m of cfg.mappings) if (m.external === addr && m.proto === proto && m.port === port) return m;
  for (const m of cfg.mappings) if (m.external === addr && m.proto === undefined) return m;
  return undefined;
}

/**
 * nat44-classify (Contiv fork): to out2in only when the destination is a pool address, matches a non-identity
 * address-only mapping, or a non-identity (addr, port, proto) mapping (a service VIP); else in2out.
 */
export function classifyToOut2in(cfg: NatConfig, dst: number, proto: number, port: number): boolean {
  if (cfg.pool.includes(dst)) return true;
  if (cfg.lb) for (const m of cfg.lb) if (m.external === dst && m.proto === proto && m.externalPort === port) return true;
  for (const m of cfg.mappings) if (!m.identity && m.external === dst && (m.proto === undefined || (m.proto === proto && m.port === port))) return true;
  return false;
}
