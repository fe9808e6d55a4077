// Bridge domain 1 (`vxlanBD`, docs/datapath.md §2.6–§2.7): loop0 as BVI and one VXLAN tunnel per remote node, all in
// split-horizon group 1; learning and flooding off, so only static L2 FIB entries forward.

export interface BridgeMember {
  swIfIndex: number;
  shg: number;
  bvi: boolean;
}

export class BridgeDomain {
  readonly members = new Map<number, BridgeMember>();
  /** static L2 FIB: MAC → sw_if_index */
  readonly fib = new Map<number, number>();

  constructor(
    readonly id: number,
    readonly learn = false,
    readonly flood = false,
    readonly uuFlood = false,
  ) {}

  addMember(m: BridgeMember): void {
    this.members.set(m.swIfIndex, m);
  }

  addFibEntry(mac: number, swIfIndex: number): void {
    this.fib.set(mac, swIfIndex);
  }

  removeFibEntry(mac: number): void {
    this.fib.delete(mac);
  }
}
