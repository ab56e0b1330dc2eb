/**
 * float16 weights: a model folder as saved.ts's `saveModelFiles` writes it (model.json + weights.bin),
 * rewritten with every float32 weight stored in half the bytes. TensorFlow.js's own weight loader
 * (`quantization: { dtype: "float16" }` in the manifest, tfjs-core's io) reads them back as float32, in
 * Deno and in the browser alike; the folder loads with `loadModelFiles` unchanged.
 *
 * @example
 * ```ts
 * import { quantizeFolderToFloat16 } from "./float16.ts";
 * const { before, after } = await quantizeFolderToFloat16("/tmp/generator");
 * console.log(`${before} → ${after} bytes`);
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * The IEEE 754 half-precision bits of `value`, rounded to the nearest (ties to even); beyond ±65504 it
 * becomes infinite, below 2^-25 zero, NaN stays NaN.
 */
export function toFloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // A subnormal half: the implicit 1 joins the mantissa, shifted down to 2^-24 steps.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa raises the exponent, as it should (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/**
 * Rewrites `dir`'s model.json and weights.bin with the float32 weights as float16; other weights are
 * copied as they are. Not atomic on its own: use it on a folder being written (writeFolderAtomically).
 * Returns the weights' bytes before and after.
 */
export async function quantizeFolderToFloat16(dir: string): Promise<{ before: number; after: number }> {
  const modelJson = JSON.parse(await Deno.readTextFile(join(dir, "model.json"))) as tf.io.ModelJSON;
  const bytes = await Deno.readFile(join(dir, "weights.bin"));
  const pieces: Uint8Array[] = [];
  let offset = 0;
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.dtype !== "float32" || spec.quantization) {
        throw new Error(
          `${dir}: weight ${spec.name} is ${spec.quantization?.dtype ?? spec.dtype}, not float32.`,
        );
      }
      const values = new Float32Array(bytes.slice(offset, offset + 4 * count).buffer);
      const halves = new Uint16Array(count);
      for (let i = 0; i < count; i++) halves[i] = toFloat16Bits(values[i]);
      pieces.push(new Uint8Array(halves.buffer));
      spec.quantization = { dtype: "float16" };
      offset += 4 * count;
    }
  }
  const out = new Uint8Array(pieces.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  await Deno.writeFile(join(dir, "weights.bin"), out);
  await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(modelJson));
  return { before: bytes.length, after: out.length };
}
