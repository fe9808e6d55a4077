// Seeds derived from a run's seed: every chunk of every property (and every chunk's topology) has its own, so
// each generated case is reproducible from the run seed alone.
import { createHash } from 'node:crypto';

/** A 31-bit seed derived from the run seed and labels (property id, chunk index). */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  const h = createHash('sha256').update(`${seed}|${labels.join('|')}`).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
}
