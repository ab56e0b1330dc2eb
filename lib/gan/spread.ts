/**
 * How varied a set of posters is within each condition: a generator that draws one poster for a decade
 * whatever the noise (a collapse for that condition) keeps a fair Fréchet distance over all posters
 * when the other decades are fine, so the spread is measured per group.
 *
 * @module
 */
import type { FeatureSet } from "./frechet.ts";

/**
 * Mean squared distance of each group's feature vectors to the group's own mean (the trace of its
 * covariance, up to n/(n-1)); groups with fewer than 2 members are left out.
 *
 * @example
 * ```ts
 * import { groupSpread } from "./spread.ts";
 * const features = { count: 3, dim: 1, values: new Float32Array([0, 2, 5]) };
 * const spread = groupSpread(features, [0, 0, 1]);
 * console.assert(spread.get(0) === 1 && !spread.has(1));
 * ```
 */
export function groupSpread(features: FeatureSet, groups: readonly number[]): Map<number, number> {
  const { count, dim, values } = features;
  if (groups.length !== count) {
    throw new Error(`groupSpread: ${groups.length} group labels for ${count} feature vectors.`);
  }
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => {
    const rows = members.get(g);
    if (rows) rows.push(i);
    else members.set(g, [i]);
  });
  const spread = new Map<number, number>();
  for (const [group, rows] of members) {
    if (rows.length < 2) continue;
    const mean = new Float64Array(dim);
    for (const i of rows) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j];
    for (let j = 0; j < dim; j++) mean[j] /= rows.length;
    let sum = 0;
    for (const i of rows) {
      for (let j = 0; j < dim; j++) sum += (values[i * dim + j] - mean[j]) ** 2;
    }
    spread.set(group, sum / rows.length);
  }
  return spread;
}

/**
 * Each group's spread of `generated` over that of `real` (the same group labels for both), rounded to
 * 2 decimals: about 1 is as varied as real posters of the group, well below 1 a collapse towards few
 * posters. Groups either side lacks are left out.
 */
export function spreadOverReal(
  real: FeatureSet,
  generated: FeatureSet,
  groups: readonly number[],
): Map<number, number> {
  const realSpread = groupSpread(real, groups);
  const ratios = new Map<number, number>();
  for (const [group, spread] of groupSpread(generated, groups)) {
    const reference = realSpread.get(group);
    if (reference === undefined || reference <= 0) continue;
    ratios.set(group, Math.round((spread / reference) * 100) / 100);
  }
  return ratios;
}
