/**
 * "Neurons per genre": how strongly each unit (filter) of the last convolutional layer responds to
 * the posters of each genre, and which posters excite a unit most.
 *
 * A unit's response to a poster is its activation averaged over the map (what Grad-CAM weighs).
 *
 * ```ts
 * import { loadGenreData } from "../dataset/load.ts";
 * import { loadGenreModel } from "../models/saved.ts";
 * import { lastConvActivations, selectiveUnits, unitsPerGenre } from "./neurons.ts";
 * const { model, metadata } = await loadGenreModel("genres7_ratio30_v1_e2_1977-2017_bce");
 * const test = await loadGenreData(metadata.dataset, "test");
 * const activations = await lastConvActivations(model, test);
 * const neurons = unitsPerGenre(activations, test);
 * const horror = selectiveUnits(neurons, test.genres.indexOf("Horror"), 3);
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GenreData } from "../dataset/types.ts";
import { concatenate } from "../util/arrays.ts";
import { applyChain, splitAtLastConv } from "./gradcam.ts";

/** Map-averaged activations of the last conv layer's units for every poster of a split. */
export interface UnitActivations {
  /** Units of the layer. */
  units: number;
  /** Row-major `[posters, units]`. */
  values: Float32Array;
}

/** Runs the model up to its last conv layer over `data` in batches (dropout off). */
export async function lastConvActivations(
  model: tf.LayersModel,
  data: GenreData,
  batchSize = 64,
): Promise<UnitActivations> {
  const { trunk } = splitAtLastConv(model);
  const count = data.movies.length;
  let units = 0;
  const chunks: Float32Array[] = [];
  for (let from = 0; from < count; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, count - from) }, (_, k) => from + k);
    const means = tf.tidy(() => applyChain(trunk, data.images(indices)).mean([1, 2]));
    units = means.shape[1]!;
    chunks.push(await means.data() as Float32Array);
    means.dispose();
  }
  return { units, values: concatenate(chunks, Float32Array) };
}

/** Mean response of each unit per genre, and over all posters. */
export interface GenreUnits {
  genres: string[];
  units: number;
  /** `byGenre[g][k]`: mean of unit k over the posters that have genre g (NaN when none has it). */
  byGenre: number[][];
  /** `overall[k]`: mean of unit k over all posters. */
  overall: number[];
  /** `spread[k]`: standard deviation of unit k over all posters (at least a tiny epsilon). */
  spread: number[];
}

/** Averages `activations` per genre of `data`'s labels. */
export function unitsPerGenre(
  activations: UnitActivations,
  data: Pick<GenreData, "genres" | "labels">,
): GenreUnits {
  const { units, values } = activations;
  const posters = values.length / units;
  const g = data.genres.length;
  const overall = new Array(units).fill(0);
  const sums = data.genres.map(() => new Array(units).fill(0));
  const counts = new Array(g).fill(0);
  for (let i = 0; i < posters; i++) {
    for (let j = 0; j < g; j++) if (data.labels[i * g + j]) counts[j]++;
    for (let k = 0; k < units; k++) {
      const v = values[i * units + k];
      overall[k] += v / posters;
      for (let j = 0; j < g; j++) if (data.labels[i * g + j]) sums[j][k] += v;
    }
  }
  const spread = overall.map((mean, k) => {
    let s = 0;
    for (let i = 0; i < posters; i++) s += (values[i * units + k] - mean) ** 2;
    return Math.max(1e-9, Math.sqrt(s / Math.max(1, posters)));
  });
  return {
    genres: [...data.genres],
    units,
    byGenre: sums.map((row, j) => row.map((sum) => (counts[j] ? sum / counts[j] : NaN))),
    overall,
    spread,
  };
}

/**
 * The units most particular to genre `g`: ranked by how far the genre's mean lies above the mean over
 * all posters, in standard deviations of the unit (so a unit that fires for everything ranks low).
 */
export function selectiveUnits(neurons: GenreUnits, g: number, count: number): number[] {
  const score = (k: number) => (neurons.byGenre[g][k] - neurons.overall[k]) / neurons.spread[k];
  return Array.from({ length: neurons.units }, (_, k) => k)
    .filter((k) => Number.isFinite(score(k)))
    .sort((a, b) => score(b) - score(a))
    .slice(0, count);
}

/** Rows (posters) that excite `unit` most, strongest first. */
export function topPostersOfUnit(activations: UnitActivations, unit: number, count: number): number[] {
  const posters = activations.values.length / activations.units;
  const value = (i: number) => activations.values[i * activations.units + unit];
  return Array.from({ length: posters }, (_, i) => i).sort((a, b) => value(b) - value(a)).slice(0, count);
}
