// The vlib buffer and rte_mbuf views the two DPDK nodes (dpdk-input, <ifc>-tx) print (docs/datapath.md §11.2).
// Built as single literals: spreading one object into another was most of these nodes' cost.
import type { BufferView, MbufView } from '../../trace/records.ts';

/** format_vlib_buffer's fields; `freeList` (18.01's `free-list %d`) comes last, as the profile switch adds it. */
export function bufferView(index: number, currentData: number, length: number, flagWords: string[], freeList: boolean): BufferView {
  return freeList
    ? { index, currentData, length, cloneCount: 0, totlenNifb: 0, trace: 0, flagWords, freeList: 0 }
    : { index, currentData, length, cloneCount: 0, totlenNifb: 0, trace: 0, flagWords };
}

/** format_dpdk_rte_mbuf's fields of a single-segment mbuf (offloads, packet type and lengths all 0). */
export function mbufView(port: number, frameLength: number, dataOff: number): MbufView {
  return { port, nbSegs: 1, pktLen: frameLength, bufLen: 2176, dataLen: frameLength, olFlags: 0, dataOff, physAddr: 0, packetType: 0, l2Len: 0, l3Len: 0, outerL2Len: 0, outerL3Len: 0 };
}
