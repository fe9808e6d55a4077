// Frames seen at each capture point of a simulation as pcap records, timestamped from the scenario's virtual
// clock (never the wall clock), so the files are byte-stable: one pcap per pod TAP and per node wire.
import { pcapRecordsByPoint as recordsByPoint, type PcapRecord } from '../packet/pcap.ts';
import type { CapturedFrame } from './simulate.ts';

/** Groups frames by capture point, in order, with microsecond timestamps from virtual time. */
export function pcapRecordsByPoint(frames: Iterable<CapturedFrame>): Map<string, PcapRecord[]> {
  return recordsByPoint(frames);
}

/** A file name for a capture point: `pod-client-tx.pcap`, `node-1-wire.pcap`. */
export function pcapFileName(point: string): string {
  return `${point.replace(/[^A-Za-z0-9._-]+/g, '-')}.pcap`;
}
