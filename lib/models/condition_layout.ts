/**
 * The layout of a conditional DCGAN's condition vector: a multi-hot over genres, then a one-hot over
 * release decades. No TensorFlow.js here, so the page of `deno task serve` builds the same vectors as
 * training and `dcgan:sample` from the layout a shipped generator records.
 *
 * @example
 * ```ts
 * import { conditionFromLayout } from "./condition_layout.ts";
 * const layout = { genres: ["Drama", "Sci-Fi"], decades: [1970, 1980] };
 * conditionFromLayout(layout, ["Sci-Fi"], 1987); // Float32Array [0, 1, 0, 1]
 * ```
 *
 * @module
 */

/** The genres and decades a condition vector has a place for, in its order. */
export interface ConditionLayout {
  genres: readonly string[];
  /** Each decade as its first year (1980 for the 1980s). */
  decades: readonly number[];
}

/**
 * The condition vector for `genres` and the decade of `year`: genres outside the layout are ignored (a
 * poster may also be "Fantasy"); a decade outside it throws, naming the decades it has.
 */
export function conditionFromLayout(
  layout: ConditionLayout,
  genres: readonly string[],
  year: number,
): Float32Array {
  const decade = Math.floor(year / 10) * 10;
  const decadeIndex = layout.decades.indexOf(decade);
  if (decadeIndex < 0) {
    throw new Error(
      `Year ${year} is outside the decades the conditional DCGAN knows (${layout.decades.join(", ")}s).`,
    );
  }
  const vector = new Float32Array(layout.genres.length + layout.decades.length);
  for (const genre of genres) {
    const index = layout.genres.indexOf(genre);
    if (index >= 0) vector[index] = 1;
  }
  vector[layout.genres.length + decadeIndex] = 1;
  return vector;
}
