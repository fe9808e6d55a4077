// pg-input: a frame arrives on a packet-generator interface (a podflow lab's pods; V:src/vnet/pg/input.c). Prints
// the stream (the adapter makes one per injection: 0), the byte count, the RX interface and next node, the buffer
// line without its index, and 128 bytes of the buffer's data: the frame, then zeros where VPP shows what the
// buffer held before (masked: pg-stale-buffer). Next: ethernet-input.
import { result, type NodeDef } from '../node-def.ts';
import type { NodeName } from '../node-names.ts';

/** pg_input_trace_t copies the buffer's first 128 bytes of data (its pre_data size). */
export const PG_TRACE_BYTES = 128;

export const pgInput: NodeDef<NodeName> = {
  name: 'pg-input',
  nexts: ['ethernet-input'],
  errors: {},
  process(buf) {
    const data = new Uint8Array(PG_TRACE_BYTES);
    data.set(buf.data.subarray(0, PG_TRACE_BYTES));
    const buffer = { currentData: buf.currentData, length: buf.data.length, cloneCount: 0, bufferPool: 0, refCount: 1, trace: 0, flagWords: [] };
    return result('ethernet-input', buf, [{ kind: 'pg-input', stream: 0, bytes: buf.data.length, swIfIndex: buf.rx, nextNode: 'ethernet-input', buffer, data }]);
  },
};
