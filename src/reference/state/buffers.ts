// Buffer memory of one VPP instance (the model's vlib buffer pool): fresh, zeroed bytes for the frames nodes
// build (ip4-rewrite's rewritten frame, vxlan4-encap's outer packet). Memory, not model state: `alloc(n)` is
// `new Uint8Array(n)` to every reader (a view of n zeroed bytes); nothing is reused, so no frame changes later.

/** Frames up to this size are carved from a block; larger ones (jumbo, MTU tests) get their own allocation. */
const MAX_CARVED = 1024;
/**
 * Block size: the frames of a few walks. A block is freed once no frame carved from it is referenced, so a frame
 * kept alive keeps at most this much memory (and a structured clone of a frame copies its whole block).
 */
const BLOCK_BYTES = 4 * 1024;

export class BufferMemory {
  // The first block is made on first use: a fuzz case configures VPPs that may never forward a frame.
  private block: ArrayBuffer | undefined;
  private used = BLOCK_BYTES;

  /**
   * `n` zeroed bytes. V8 gives every typed array above 64 bytes its own off-heap backing store (about 300 ns
   * each, most of what ip4-rewrite cost); views into a shared block cost a tenth of that.
   */
  alloc(n: number): Uint8Array {
    if (n > MAX_CARVED) return new Uint8Array(n);
    if (this.used + n > BLOCK_BYTES) {
      this.block = new ArrayBuffer(BLOCK_BYTES);
      this.used = 0;
    }
    const bytes = new Uint8Array(this.block!, this.used, n);
    // 8-byte alignment, as a fresh allocation would start.
    this.used += (n + 7) & ~7;
    return bytes;
  }
}

/**
 * The memory every VPP instance of the process carves from. One pool rather than one per instance: a fuzz case
 * configures a few VPPs that forward a frame or two each, and a fresh 4 KiB block per instance per case was a
 * visible share of the case (an off-heap allocation, zeroed). Sharing changes no frame: views never overlap.
 */
export const SHARED_BUFFER_MEMORY = new BufferMemory();
