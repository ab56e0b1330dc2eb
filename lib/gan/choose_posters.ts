/**
 * Best of K: for each poster asked, the generator draws K candidates from K noise vectors and the
 * discriminator's classifier (the AC-GAN head, trained on real posters' genres and decades) keeps the one
 * in which it reads the asked genres and decade most surely. A conditional generator that blurs its
 * condition now and then (a "Horror" poster that reads as a Drama) keeps its better draws, at K times the
 * drawing. `tf` is passed in: `dcgan:sample`, the quality figures and the page of `deno task serve` run
 * this same code.
 *
 * Noise layout: the candidates of `n` posters are `K * n` noise rows, candidate `j` of poster `i` in row
 * `j * n + i`, so candidate 0 is the noise one draw (K = 1) would use.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { drawPosters } from "./choose_posters.ts";
 * declare const generator: tf.LayersModel;
 * declare const classifier: tf.LayersModel;
 * const conditions = tf.zeros([4, 19]) as tf.Tensor2D;
 * const noise = tf.randomNormal([8 * 4, 100], 0, 1, "float32", 1) as tf.Tensor2D;
 * const images = drawPosters(tf, generator, noise, conditions, { candidates: 8, chooser: { classifier, genres: 14 } });
 * console.log(images.shape); // [4, 96, 64, 3]
 * ```
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";
import { DEFAULT_DCGAN_SAMPLE } from "../config.ts";

/**
 * What picks among candidates: a network from a poster ([n, height, width, 3] in [-1, 1]) to condition
 * logits ([n, genres + decades]: genres as independent sigmoids, decades as one softmax), and how many of
 * its outputs are genres.
 */
export interface PosterChooser {
  classifier: Tf.LayersModel;
  genres: number;
}

/** How posters are drawn: candidates per poster (1: the draw as it comes) and what picks among them. */
export interface DrawOptions {
  candidates: number;
  chooser?: PosterChooser;
}

/** Throws unless `candidates` is a whole number from 1 to {@linkcode MAX_CANDIDATES}. */
export function checkCandidates(candidates: number): void {
  if (!Number.isInteger(candidates) || candidates < 1 || candidates > MAX_CANDIDATES) {
    throw new Error(
      `The candidates per poster are a whole number from 1 (the draw as it comes) to ${MAX_CANDIDATES}, ` +
        `got ${candidates}.`,
    );
  }
}

/**
 * Candidates per poster when none are asked: DEFAULT_DCGAN_SAMPLE's with a classifier to choose by, else
 * 1 (the draw as it comes). dcgan:sample and the page both start from it.
 */
export function defaultCandidates(chooser: PosterChooser | undefined): number {
  return chooser ? DEFAULT_DCGAN_SAMPLE.candidates : 1;
}

/** Most candidates per poster: each costs a generator and a classifier pass. */
export const MAX_CANDIDATES = 64;

/**
 * How surely `logits` read each row of `conditions`: the log-probability of each asked genre (its
 * sigmoid) plus that of the asked decade (the decades' softmax). Genres not asked do not count: a Sci-Fi
 * poster may look like a Drama too. [n] scores, higher is surer.
 */
export function conditionScore(
  tf: typeof Tf,
  conditions: Tf.Tensor2D,
  logits: Tf.Tensor2D,
  genres: number,
): Tf.Tensor1D {
  return tf.tidy(() => {
    const decades = conditions.shape[1] - genres;
    const [askedGenres, askedDecade] = tf.split(conditions, [genres, decades], 1);
    const [genreLogits, decadeLogits] = tf.split(logits, [genres, decades], 1);
    const genreScore = askedGenres.mul(tf.logSigmoid(genreLogits)).sum(1);
    const decadeScore = askedDecade.mul(tf.logSoftmax(decadeLogits)).sum(1);
    return genreScore.add(decadeScore) as Tf.Tensor1D;
  });
}

/**
 * The noise rows of posters `start` to `start + n - 1` out of `count`, when `noise` holds `candidates *
 * count` rows drawn at once: [candidates * n, latent] in the layout {@linkcode drawPosters} takes.
 */
export function candidateNoise(
  tf: typeof Tf,
  noise: Tf.Tensor2D,
  count: number,
  start: number,
  n: number,
  candidates: number,
): Tf.Tensor2D {
  if (candidates === 1) return noise.slice([start, 0], [n, noise.shape[1]]);
  const rows = Int32Array.from(
    { length: candidates * n },
    (_, r) => Math.floor(r / n) * count + start + (r % n),
  );
  return tf.gather(noise, rows);
}

/**
 * The posters for `noise` (`candidates * n` rows, laid out as the module says) and `conditions` ([n,
 * size], or undefined for an unconditional generator, which has nothing to choose by): images in [-1, 1],
 * [n, height, width, 3]. The generator runs in inference mode (batch norm's moving statistics).
 */
export function drawPosters(
  tf: typeof Tf,
  generator: Tf.LayersModel,
  noise: Tf.Tensor2D,
  conditions: Tf.Tensor2D | undefined,
  options: DrawOptions,
): Tf.Tensor4D {
  const k = options.candidates;
  checkCandidates(k);
  const n = noise.shape[0] / k;
  if (!Number.isInteger(n) || (conditions && conditions.shape[0] !== n)) {
    throw new Error(
      `${noise.shape[0]} noise rows do not make ${k} candidates for each of ` +
        `${conditions?.shape[0] ?? "the"} posters.`,
    );
  }
  if (k === 1) {
    return generator.predict(conditions ? [noise, conditions] : noise) as Tf.Tensor4D;
  }
  const chooser = options.chooser;
  if (!conditions || !chooser) {
    throw new Error(
      conditions
        ? `${k} candidates per poster need the discriminator's classifier to choose, and this generator ` +
          `comes without one: export its run again (deno task dcgan:export), or draw 1 candidate.`
        : `An unconditional generator has no asked genre to choose candidates by: draw 1 candidate.`,
    );
  }
  return tf.tidy(() => {
    const asked = tf.tile(conditions, [k, 1]) as Tf.Tensor2D;
    const images = generator.predict([noise, asked]) as Tf.Tensor4D;
    const logits = chooser.classifier.predict(images) as Tf.Tensor2D;
    const score = conditionScore(tf, asked, logits, chooser.genres);
    const best = score.reshape([k, n]).argMax(0) as Tf.Tensor1D;
    const rows = best.mul(tf.scalar(n, "int32")).add(tf.range(0, n, 1, "int32"));
    return tf.gather(images, rows) as Tf.Tensor4D;
  });
}
