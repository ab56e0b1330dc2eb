/**
 * Typed-array helpers.
 *
 * @module
 */

/**
 * The arrays one after another in one new array of kind `Kind` (batches of predictions, features or
 * labels gathered chunk by chunk).
 *
 * @example
 * ```ts
 * import { concatenate } from "./arrays.ts";
 * const joined = concatenate([new Float32Array([1, 2]), new Float32Array([3])], Float32Array);
 * console.log(joined); // Float32Array(3) [ 1, 2, 3 ]
 * ```
 */
export function concatenate<T extends Float32Array | Uint8Array>(
  arrays: readonly T[],
  Kind: { new (length: number): T },
): T {
  const out = new Kind(arrays.reduce((sum, a) => sum + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
