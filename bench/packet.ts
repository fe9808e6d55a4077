// Packet codec and pcap speed on a fixed mix of frames (the frame generator at a pinned seed:
// plain TCP/UDP/ICMP/ARP, 802.1Q and VXLAN-encapsulated), plus scapy's wrpcap on the same frames.
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameArb } from '../src/generators/frame.ts';
import { decodePacket, encodePacket } from '../src/packet/index.ts';
import { decodePcap, encodePcap, type PcapRecord } from '../src/packet/pcap.ts';
import { writePcapFileAtomic } from '../src/packet/pcap-file.ts';
import type { BenchResult } from './run.ts';

const MIX_SEED = 4789;

/** Runs fn `rounds` times after one warm-up and returns the best per-second rate for `items` items. */
function rate(items: number, rounds: number, fn: () => void): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return Math.round(items / best);
}

/** Seconds scapy's RawPcapWriter takes to write the frames of an existing pcap (read time excluded). */
function scapyWriteSeconds(inputPcap: string, outPcap: string): number | string {
  const script = [
    'import sys, time',
    'from scapy.utils import RawPcapReader, RawPcapWriter, wrpcap',
    'from scapy.layers.l2 import Ether',
    'frames = [bytes(d) for d, _ in RawPcapReader(sys.argv[1])]',
    'pkts = [Ether(f) for f in frames]',
    't0 = time.perf_counter()',
    'wrpcap(sys.argv[2], pkts)',
    'print(time.perf_counter() - t0)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, inputPcap, outPcap], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `scapy unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return Number(r.stdout.trim());
}

/** Seconds scapy's rdpcap takes to read and dissect the frames of a pcap (interpreter start-up excluded). */
function scapyReadSeconds(inputPcap: string): number | string {
  const script = ['import sys, time', 'from scapy.utils import rdpcap', 't0 = time.perf_counter()', 'p = rdpcap(sys.argv[1])', 'n = sum(len(x.layers()) for x in p)', 'print(time.perf_counter() - t0)'].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, inputPcap], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `scapy unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return Number(r.stdout.trim());
}

/**
 * Seconds tshark takes to decode every frame of a pcap down to the fields podflow decodes (Ethernet, 802.1Q, ARP,
 * IPv4, TCP/UDP/ICMP, VXLAN and the inner frame), its start-up (the same command on a one-frame pcap) subtracted.
 */
function tsharkDecodeSeconds(inputPcap: string, onePcap: string): number | string {
  const fields = ['eth.src', 'vlan.id', 'arp.opcode', 'ip.src', 'ip.dst', 'tcp.srcport', 'udp.srcport', 'icmp.type', 'vxlan.vni'].flatMap((f) => ['-e', f]);
  const run = (file: string): number | string => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', ...fields], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) return `tshark unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const [all, one] = [run(inputPcap), run(onePcap)];
  if (typeof all === 'string') return all;
  if (typeof one === 'string') return one;
  return Math.max(1e-6, all - one);
}

export async function packetBench({ frames }: { frames: number }): Promise<BenchResult> {
  const mix = fc.sample(frameArb({ badChecksumWeight: 0, maxPayload: 256 }), { seed: MIX_SEED, numRuns: frames });
  const encoded = mix.map((layers) => encodePacket(layers));
  const bytes = encoded.reduce((s, b) => s + b.length, 0);
  const records: PcapRecord[] = encoded.map((data, i) => ({ tsSec: Math.floor(i / 1000), tsFrac: (i % 1000) * 1000, data }));

  const encodeRate = rate(frames, 3, () => {
    for (const l of mix) encodePacket(l);
  });
  let sink = 0;
  const decodeRate = rate(frames, 5, () => {
    for (const b of encoded) sink += decodePacket(b).layers.length;
  });
  const pcapWriteRate = rate(frames, 5, () => {
    sink += encodePcap(records).length;
  });
  const file = encodePcap(records);
  const pcapReadRate = rate(frames, 5, () => {
    sink += decodePcap(file).records.length;
  });

  const dir = mkdtempSync(join(tmpdir(), 'podflow-bench-'));
  let scapy: BenchResult = {};
  try {
    const input = join(dir, 'mix.pcap');
    writePcapFileAtomic(input, records);
    // Our side of the comparison includes the file write, as wrpcap's does.
    const oursWithFile = rate(frames, 3, () => writePcapFileAtomic(join(dir, 'ours.pcap'), records));
    const secs = scapyWriteSeconds(input, join(dir, 'scapy.pcap'));
    scapy =
      typeof secs === 'number'
        ? { scapyWrpcapFramesPerSec: Math.round(frames / secs), podflowPcapFileWriteFramesPerSec: oursWithFile, ratioVsScapy: Math.round((oursWithFile / (frames / secs)) * 10) / 10 }
        : { scapy: secs };
    // Reading and dissecting the same file: podflow's pcap reader and packet decoder against scapy's rdpcap and
    // tshark (each peer measured in this run, on this machine).
    const readAndDecode = rate(frames, 3, () => {
      const d = decodePcap(readFileSync(input));
      if (d.ok) for (const r of d.records) sink += decodePacket(r.data).layers.length;
    });
    const one = join(dir, 'one.pcap');
    writePcapFileAtomic(one, records.slice(0, 1));
    const rd = scapyReadSeconds(input);
    const ts = tsharkDecodeSeconds(input, one);
    scapy = {
      ...scapy,
      podflowReadAndDecodeFramesPerSec: readAndDecode,
      ...(typeof rd === 'number' ? { scapyRdpcapFramesPerSec: Math.round(frames / rd), readRatioVsScapy: Math.round((readAndDecode / (frames / rd)) * 10) / 10 } : { scapyRdpcap: rd }),
      ...(typeof ts === 'number' ? { tsharkDecodeFramesPerSec: Math.round(frames / ts), readRatioVsTshark: Math.round((readAndDecode / (frames / ts)) * 10) / 10 } : { tshark: ts }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    frames,
    meanFrameBytes: Math.round(bytes / frames),
    encodeFramesPerSec: encodeRate,
    decodeFramesPerSec: decodeRate,
    pcapWriteFramesPerSec: pcapWriteRate,
    pcapReadFramesPerSec: pcapReadRate,
    ...scapy,
    checksum: sink > 0,
  };
}
