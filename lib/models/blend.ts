/**
 * How a genre model with a pretrained branch (feature_branch.ts) answers: per output,
 * `(1 - w) * cnn + w * branch`, with the weights `w` chosen on validation and stored in metadata.json.
 * Plain arithmetic with no TensorFlow.js, so the page of `serve` blends with the same code.
 *
 * ```ts
 * import { blendOutputs } from "./blend.ts";
 * const cnn = { probabilities: Float32Array.of(0.2, 0.8), heads: [Float32Array.of(1)] };
 * const branch = { probabilities: Float32Array.of(0.4, 0.6), heads: [Float32Array.of(0)] };
 * const { probabilities, heads } = blendOutputs(cnn, branch, { genreWeight: 0.5, headWeights: [0.25] });
 * // probabilities ≈ [0.3, 0.7], heads[0] = [0.75]
 * ```
 *
 * @module
 */
import type { FeatureBranchConfig, RegressionTarget } from "../config.ts";

/** How a saved model blends its branch with its CNN (metadata.json `blend`). */
export interface BranchBlend {
  /** The branch's settings, as trained. */
  config: FeatureBranchConfig;
  /** Poster size the network reads. */
  imageSize: { width: number; height: number };
  /** The branch's weight in the genre probabilities (0: the CNN alone). */
  genreWeight: number;
  /** The branch's weight in each regression output, in the model's head order. */
  headWeights: number[];
  /** Validation figures behind the weights: mAP and each head's mean absolute error, per part. */
  validation: {
    cnn: BlendFigures;
    branch: BlendFigures;
    blend: BlendFigures;
  };
}

/** A part's validation figures in {@linkcode BranchBlend}. */
export interface BlendFigures {
  meanAveragePrecision: number;
  /** Mean absolute error per regression target, in its units. */
  mae: Partial<Record<RegressionTarget, number>>;
}

/** A model's outputs on some posters: row-major `[n, genres]` probabilities and each head's `[n]` values. */
export interface ModelOutputs {
  probabilities: Float32Array;
  heads: Float32Array[];
}

/** `(1 - weight) * a + weight * b`, elementwise. */
export function mix(a: Float32Array, b: Float32Array, weight: number): Float32Array {
  if (a.length !== b.length) throw new Error(`Can't blend ${a.length} values with ${b.length}.`);
  return a.map((x, i) => (1 - weight) * x + weight * b[i]);
}

/** The blend of the CNN's and the branch's outputs with `blend`'s weights. */
export function blendOutputs(
  cnn: ModelOutputs,
  branch: ModelOutputs,
  blend: Pick<BranchBlend, "genreWeight" | "headWeights">,
): ModelOutputs {
  return {
    probabilities: mix(cnn.probabilities, branch.probabilities, blend.genreWeight),
    heads: cnn.heads.map((values, k) => mix(values, branch.heads[k], blend.headWeights[k] ?? 0)),
  };
}
