/**
 * Genre predictions for any posters (files, folders, URLs), resized exactly as training images are,
 * with class-activation overlays on request. What `deno task predict` runs.
 *
 * ```ts
 * import { loadGenreModel } from "../models/saved.ts";
 * import { predictPosters } from "./predict_posters.ts";
 * const saved = await loadGenreModel("genres7_ratio30_v1_e2_1977-2017_bce");
 * const results = await predictPosters(saved, ["poster.jpg"], { explainDir: "cams" });
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { basename, extname, join } from "node:path";
import { PREDICT_DEFAULTS } from "../config.ts";
import type { Catalog } from "../dataset/catalog.ts";
import { writeFileAtomic } from "../util/files.ts";
import type { Movie } from "../dataset/types.ts";
import { filmLabel, predictionLine } from "../evaluation/prediction_lines.ts";
import { decodeRgb } from "../images/resize.ts";
import type { SavedGenreModel } from "../models/saved.ts";
import { predictPoster } from "../evaluation/predict.ts";
import { type RegressionEstimates, regressionEstimates } from "../models/targets.ts";
import { gradCam } from "./gradcam.ts";
import { overlayPng } from "./overlay.ts";
import { imdbIdOfSource, isUrl, readSource } from "./sources.ts";

/** A poster the model read. */
export interface PosterPrediction {
  source: string;
  /** The dataset's film, when the poster's name is an imdbId found in its MovieGenre.csv. */
  movie?: Movie;
  /** Probability of each genre, in the model's genre order. */
  genres: Record<string, number>;
  /** Release year, when the model has a year head. */
  year?: number;
  /** IMDb score, when the model has a rating head. */
  rating?: number;
  /** Class-activation overlays written for the top genres (with `explainDir`). */
  overlays?: string[];
}

/** A poster that could not be read or predicted. */
export interface PosterFailure {
  source: string;
  /** One line naming the poster and saying why. */
  error: string;
}

/** What {@linkcode predictPosters} returns for each source, in order. */
export type PosterResult = PosterPrediction | PosterFailure;

/** Whether a result is a failure. */
export function isFailure(result: PosterResult): result is PosterFailure {
  return "error" in result;
}

/** Options of {@linkcode predictPosters}. */
export interface PredictPostersOptions {
  /** Genres ranked in lines and explained (default 3). */
  top?: number;
  /** Timeout of a URL, body included, in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Most bytes of a poster from a URL, after decoding (default lib/config.ts `MAX_POSTER_BYTES`). */
  maxBytes?: number;
  /** The dataset the model was trained on, to name films and mark `[!]` genres they lack. */
  catalog?: Catalog;
  /** Write an overlay PNG per poster and top genre into this folder. */
  explainDir?: string;
  /** Called after each poster, e.g. to print it at once. */
  onResult?: (result: PosterResult) => void;
}

/** Predicts each source; a failing one becomes a {@linkcode PosterFailure} and the others go on. */
export async function predictPosters(
  saved: SavedGenreModel,
  sources: readonly string[],
  options: PredictPostersOptions = {},
): Promise<PosterResult[]> {
  const top: number = options.top ?? PREDICT_DEFAULTS.top;
  const timeoutMs: number = options.timeoutMs ?? PREDICT_DEFAULTS.urlTimeoutSeconds * 1000;
  const { genres } = saved.metadata;
  const byId = options.catalog ? new Map(options.catalog.movies.map((m) => [m.imdbId, m])) : undefined;
  if (options.explainDir) await Deno.mkdir(options.explainDir, { recursive: true });
  const stems = new Set<string>();
  const results: PosterResult[] = [];
  for (const source of sources) {
    let result: PosterResult;
    try {
      const bytes = await readSource(source, { timeoutMs, maxBytes: options.maxBytes });
      const { probabilities, ranked, overlays, estimates } = await explainPoster(saved, bytes, source, {
        top,
        explain: options.explainDir !== undefined,
      });
      const imdbId = imdbIdOfSource(source);
      const movie = imdbId !== undefined ? byId?.get(imdbId) : undefined;
      result = {
        source,
        ...(movie ? { movie } : {}),
        genres: Object.fromEntries(genres.map((genre, j) => [genre, probabilities[j]])),
        ...estimates,
      };
      if (options.explainDir) {
        const stem = uniqueStem(source, stems);
        result.overlays = [];
        for (const [k, genre] of ranked.entries()) {
          const path = join(options.explainDir, `${stem}_${genres[genre]}.png`);
          await writeFileAtomic(path, overlays[k]);
          result.overlays.push(path);
        }
      }
    } catch (error) {
      // The dataset's advice (re-import the file) does not fit a user's own poster.
      const message = (error as Error).message.replace(/: delete it and import or download it again\.$/, ".");
      result = { source, error: message };
    }
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/** What {@linkcode explainPoster} returns. */
export interface PosterExplanation {
  /** Genre probabilities, in the model's genre order. */
  probabilities: Float32Array;
  /** Indices of the explained genres: the top `top`, or the asked `genres`. */
  ranked: number[];
  /** An overlay PNG per entry of `ranked` (empty unless `explain`). */
  overlays: Uint8Array[];
  /** Year and rating, when the model has those heads. */
  estimates: RegressionEstimates;
}

/**
 * Runs the model on a poster's bytes (resized exactly as training images are) and, with `explain`,
 * draws the class-activation map of each of the top `top` genres (or of `genres`) over it.
 */
export async function explainPoster(
  saved: SavedGenreModel,
  bytes: Uint8Array,
  name: string,
  options: { top?: number; genres?: number[]; explain?: boolean } = {},
): Promise<PosterExplanation> {
  const { imageSize } = saved.metadata;
  const pixels = await decodeRgb({ bytes, name }, imageSize);
  const blend = saved.branch?.blend;
  const branchPixels = blend ? await decodeRgb({ bytes, name }, blend.imageSize) : undefined;
  const { probabilities, heads } = await predictPoster(saved, pixels, branchPixels);
  if ([probabilities, ...heads].some((values) => values.some((x) => !Number.isFinite(x)))) {
    // Never shown as NaN% (or null in --json): the weights are damaged, e.g. by a diverged training.
    throw new Error(
      `${name}: model ${saved.dir} gives NaN or infinite outputs; its weights are damaged ` +
        `(a training that diverged?): train it again with a lower --learning-rate, or pick another with --model.`,
    );
  }
  const estimates = regressionEstimates(saved.metadata, heads);
  const ranked = options.genres ?? rankGenres(probabilities).slice(0, options.top ?? PREDICT_DEFAULTS.top);
  const overlays: Uint8Array[] = [];
  if (options.explain) {
    // The maps are the CNN's: the branch's frozen network has no genre layer to explain.
    const image = tf.tidy(() =>
      tf.tensor4d(pixels, [1, imageSize.height, imageSize.width, 3], "int32").toFloat().div<tf.Tensor4D>(255)
    );
    try {
      const { maps } = gradCam(tf, saved.model, image, ranked);
      for (const map of maps) overlays.push(await overlayPng(bytes, map, PREDICT_DEFAULTS.overlayOpacity));
    } finally {
      image.dispose();
    }
  }
  return { probabilities, ranked, overlays, estimates };
}

/** Genre indices by falling probability. */
export function rankGenres(probabilities: ArrayLike<number>): number[] {
  return Array.from(probabilities, (_, j) => j).sort((a, b) => probabilities[b] - probabilities[a]);
}

/** A file stem for a source's overlays, made unique among `used` (`0133093`, `0133093-2`, ...). */
function uniqueStem(source: string, used: Set<string>): string {
  const name = basename(isUrl(source) ? new URL(source).pathname : source) || "poster";
  const stem = name.slice(0, name.length - extname(name).length).replace(/[^\w.-]+/g, "_") || "poster";
  let unique = stem;
  for (let n = 2; used.has(unique); n++) unique = `${stem}-${n}`;
  used.add(unique);
  return unique;
}

/** The name a line starts with: the film's title and year when known, else the file name. */
export function posterLabel(result: PosterPrediction): string {
  if (result.movie) return filmLabel(result.movie);
  return basename(isUrl(result.source) ? new URL(result.source).pathname : result.source) || result.source;
}

/**
 * The original's line for a poster, `[!]` on genres the dataset's film lacks, then the regression
 * heads' estimates: `The Matrix (1999)   ['Action: 91%', ...]  year ≈ 1998, rating ≈ 6.4`.
 */
export function formatPosterLine(result: PosterPrediction, top: number = PREDICT_DEFAULTS.top): string {
  const names = Object.keys(result.genres);
  const line = predictionLine(
    posterLabel(result),
    names,
    Object.values(result.genres),
    top,
    result.movie?.genres,
  );
  const extra = [
    result.year !== undefined ? `year ≈ ${Math.round(result.year)}` : "",
    result.rating !== undefined ? `rating ≈ ${result.rating.toFixed(1)}` : "",
  ].filter(Boolean);
  return extra.length ? `${line}  ${extra.join(", ")}` : line;
}

/** The `--json` record: `{source, genres, year?, rating?}`, plus `title` and `overlays` when known, or `{source, error}`. */
export function posterJson(result: PosterResult): Record<string, unknown> {
  if (isFailure(result)) return { source: result.source, error: result.error };
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    source: result.source,
    ...(result.movie ? { title: filmLabel(result.movie) } : {}),
    genres: Object.fromEntries(Object.entries(result.genres).map(([genre, p]) => [genre, round(p)])),
    ...(result.year !== undefined ? { year: Math.round(result.year * 10) / 10 } : {}),
    ...(result.rating !== undefined ? { rating: Math.round(result.rating * 100) / 100 } : {}),
    ...(result.overlays ? { overlays: result.overlays } : {}),
  };
}
