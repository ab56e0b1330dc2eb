/**
 * Typed configuration and every default of the project, in one place.
 *
 * A run goes config → data → model → train → evaluate; each step takes one of
 * these plain records, so a notebook cell and a `deno task` command describe a
 * run the same way.
 *
 * @module
 */

/** The 14 genres the project knows, in the order of the original project's groups. */
export const ALL_GENRES = [
  "Comedy",
  "Drama",
  "Action",
  "Animation",
  "Romance",
  "Adventure",
  "Horror",
  "Sci-Fi",
  "Crime",
  "Mystery",
  "Thriller",
  "War",
  "Family",
  "Western",
] as const;

/** One of the 14 genres. */
export type Genre = typeof ALL_GENRES[number];

/** Sizes of the genre groups: the first 3, 7 or 14 of {@linkcode ALL_GENRES}. */
export const GENRE_GROUP_SIZES = [3, 7, 14] as const;

/** A genre group size. */
export type GenreGroupSize = typeof GENRE_GROUP_SIZES[number];

/** Width and height of a Kaggle poster in pixels; `ratio` is a percent of this. */
export const POSTER_WIDTH = 182;
/** Height of a Kaggle poster in pixels. */
export const POSTER_HEIGHT = 268;

/** The genres of a group: 3 (Comedy, Drama, Action), 7 (+ Animation, Romance, Adventure, Horror) or 14. */
export function genreGroup(size: number): Genre[] {
  if (!(GENRE_GROUP_SIZES as readonly number[]).includes(size)) {
    throw new Error(
      `Unknown genre group ${size}: use 3 (Comedy, Drama, Action), 7 (+ Animation, Romance, ` +
        `Adventure, Horror) or 14 (+ Sci-Fi, Crime, Mystery, Thriller, War, Family, Western).`,
    );
  }
  return ALL_GENRES.slice(0, size);
}

/**
 * Image size for a ratio (percent of 182x268).
 *
 * Rounding rule: each side is `Math.round(side * ratio / 100)`, at least 1 pixel.
 * Ratio 30 gives 55x80 (54.6 → 55, 80.4 → 80); ratio 60 gives 109x161.
 */
export function imageSize(ratio: number): { width: number; height: number } {
  if (!Number.isFinite(ratio) || ratio <= 0 || ratio > 1000) {
    throw new Error(`Invalid ratio ${ratio}: give a percent of 182x268 such as 30, 40, 50 or 60.`);
  }
  return {
    width: Math.max(1, Math.round((POSTER_WIDTH * ratio) / 100)),
    height: Math.max(1, Math.round((POSTER_HEIGHT * ratio) / 100)),
  };
}

/** Which movies and which image size a run uses. */
export interface DatasetConfig {
  /** Folder holding `MovieGenre.csv`, `posters/` and `images/<ratio>/`. */
  dataDir: string;
  /** First release year kept (inclusive). */
  minYear: number;
  /** Last release year kept (inclusive). */
  maxYear: number;
  /** The genres predicted, in output order (usually a group from {@linkcode genreGroup}). */
  genres: Genre[];
  /** Poster size in percent of 182x268. */
  ratio: number;
  /** Keep at most this many movies per split (for quick runs); undefined keeps all. */
  limit?: number;
}

/** The three model versions: kernel size of the first conv block. */
export type ModelVersion = 1 | 2 | 3;

/** Loss of the genre CNN: binary cross-entropy (multi-label) or the original's categorical. */
export type LossName = "binary_crossentropy" | "categorical_crossentropy";

/** How the genre CNN is built and trained. */
export interface ModelConfig {
  /** 1: 3x3 kernels; 2: square kernels 10% of the image width; 3: 20% (halved in the second block). */
  version: ModelVersion;
  /** Passes over the training split. */
  epochs: number;
  /** Images per gradient step. */
  batchSize: number;
  /** RMSprop learning rate. */
  learningRate: number;
  /** Training loss. */
  loss: LossName;
  /** Stop after this many epochs without a better validation loss; 0 turns early stopping off. */
  earlyStoppingPatience: number;
  /** Seed for weight initialisation and shuffling. */
  seed: number;
}

/** Names of the TensorFlow.js backends, in the order they are tried. */
export const BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "native", "webgpu", "wasm", "cpu"] as const;

/** Threads of the native backend (oneDNN and OpenBLAS) unless `--threads` says otherwise: every core. */
export const DEFAULT_THREADS: number = navigator.hardwareConcurrency || 1;

/** A TensorFlow.js backend the project can run on. */
export type BackendName = typeof BACKEND_ORDER[number];

/** Default dataset config: the original project's years, 7 genres, ratio 30. */
export const DEFAULT_DATASET: DatasetConfig = {
  dataDir: "data",
  minYear: 1977,
  maxYear: 2017,
  genres: genreGroup(7),
  ratio: 30,
};

/** Default model config: version 1, RMSprop 1e-4, binary cross-entropy, batch 32. */
export const DEFAULT_MODEL: ModelConfig = {
  version: 1,
  epochs: 2,
  batchSize: 32,
  learningRate: 1e-4,
  loss: "binary_crossentropy",
  earlyStoppingPatience: 0,
  seed: 42,
};

/** Where trained models are saved. */
export const SAVED_MODELS_DIR = "saved_models";
