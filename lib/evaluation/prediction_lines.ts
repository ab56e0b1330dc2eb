/**
 * Prediction lines in the original project's format, for its named titles and a sample of test posters:
 *
 * ```
 * The Matrix (1999)                ['Action: 91%', 'Drama[!]: 25%', 'Adventure[!]: 13%']
 * ```
 *
 * The film (title cut to 20 characters + `..`, then the year) padded to 33 columns, then the top 3
 * genres as a Python list of strings, `[!]` marking a predicted genre the film doesn't have.
 *
 * @module
 */
import type { DatasetConfig } from "../config.ts";
import type { Catalog } from "../dataset/catalog.ts";
import { imagePath } from "../dataset/paths.ts";
import type { GenreData, Movie, Split } from "../dataset/types.ts";
import { decodeRgb } from "../images/resize.ts";
import { seededRandom } from "../util/random.ts";
import type { SavedGenreModel } from "../models/saved.ts";
import { predictPoster } from "./predict.ts";

/**
 * The titles the original's test script (tests.py) printed predictions for, by the genre it expected.
 * It looked them up among all movies, whatever their split.
 */
export const ORIGINAL_NAMED_TITLES: Record<string, string[]> = {
  "?": [
    "Pearl Harbor",
    "Twelve Monkeys",
    "The Truman Show",
    "Blade Runner",
    "Star Wars: Episode IV - A New Hope",
    "The Godfather",
    "A.I. Artificial Intelligence",
    "Enter the Void",
    "The Abyss",
    "Primer",
    "Coherence",
    "Pulp Fiction",
  ],
  Action: [
    "The Matrix",
    "Man of Steel",
    "X-Men: Apocalypse",
    "Lara Croft: Tomb Raider",
    "Edge of Tomorrow",
    "Batman Forever",
    "Live Free or Die Hard",
  ],
  Animation: ["Paprika", "Castle in the Sky", "Spirited Away", "Zootopia", "Trolls"],
  Comedy: [
    "Bienvenue chez les Ch'tis",
    "Frequently Asked Questions About Time Travel",
    "What We Do in the Shadows",
    "Hollywood Ending",
    "Whatever Works",
    "The Mask",
    "Liar Liar",
  ],
  Drama: ["No Country for Old Men", "The Martian", "Vanilla Sky"],
  Horror: [
    "Dracula 2000",
    "The Blair Witch Project",
    "The Others",
    "Aliens",
    "Aliens vs. Predator: Requiem",
    "Alien: Resurrection",
  ],
  Romance: ["Notting Hill", "Pretty Woman", "Bridget Jones's Diary"],
};

/** Column where the predictions start, as in the original. */
const ALIGN = 33;

/** `Bienvenue chez les C.. (2008)`: the title cut to 20 characters, then the year. */
export function filmLabel(movie: Movie): string {
  const title = movie.title.length > 20 ? movie.title.slice(0, 20) + ".." : movie.title;
  return `${title} (${movie.year ?? "?"})`;
}

/** One line: the film label padded to 33 columns, then the top `top` genres with `[!]` for wrong ones. */
export function formatPredictionLine(
  movie: Movie,
  genres: readonly string[],
  probabilities: ArrayLike<number>,
  top = 3,
): string {
  return predictionLine(filmLabel(movie), genres, probabilities, top, movie.genres);
}

/**
 * `label` padded to 33 columns, then the top `top` genres; with `filmGenres` (the film's own genres,
 * when known) a predicted genre the film lacks is marked `[!]`.
 */
export function predictionLine(
  label: string,
  genres: readonly string[],
  probabilities: ArrayLike<number>,
  top = 3,
  filmGenres?: readonly string[],
): string {
  const ranked = genres
    .map((genre, j) => ({ genre, probability: probabilities[j] }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, top)
    .map(({ genre, probability }) =>
      `'${genre}${!filmGenres || filmGenres.includes(genre) ? "" : "[!]"}: ${
        (probability * 100).toFixed(0)
      }%'`
    );
  return label.padEnd(ALIGN) + `[${ranked.join(", ")}]`;
}

/** A named title of the original found in the data, with its prediction line. */
export interface NamedPrediction {
  /** The genre the original listed it under (`?` for its open questions). */
  expected: string;
  title: string;
  /** The split the film is in: predictions for training films say little about generalisation. */
  split?: Split;
  /** The formatted line, or undefined when the film or its image is not in the data. */
  line?: string;
  /** Why there is no line. */
  missing?: string;
}

/**
 * Predicts the original's named titles that exist in the dataset (exact title, first by imdbId as
 * the original's search did) and have an image at the model's ratio.
 */
export async function predictNamedTitles(
  saved: Pick<SavedGenreModel, "model" | "branch" | "metadata">,
  catalog: Catalog,
  dataset: DatasetConfig,
): Promise<NamedPrediction[]> {
  const byTitle = new Map<string, Movie>();
  for (const movie of [...catalog.movies].sort((a, b) => a.imdbId - b.imdbId)) {
    if (!byTitle.has(movie.title)) byTitle.set(movie.title, movie);
  }
  const blend = saved.branch?.blend;
  const results: NamedPrediction[] = [];
  for (const [expected, titles] of Object.entries(ORIGINAL_NAMED_TITLES)) {
    for (const title of titles) {
      const movie = byTitle.get(title);
      let pixels: Uint8Array | undefined;
      let branchPixels: Uint8Array | undefined;
      if (movie) {
        const decode = (ratio: number, size: { width: number; height: number }) =>
          decodeRgb(imagePath(dataset.dataDir, ratio, movie.imdbId), size).catch(() => undefined);
        pixels = await decode(dataset.ratio, saved.metadata.imageSize);
        if (blend) branchPixels = await decode(blend.config.ratio, blend.imageSize);
      }
      if (!movie || !pixels || (blend && !branchPixels)) {
        const ratio = pixels ? blend!.config.ratio : dataset.ratio;
        const missing = movie ? `no image in images/${ratio}/ (no poster)` : "not in MovieGenre.csv";
        results.push({ expected, title, missing });
        continue;
      }
      const { probabilities } = await predictPoster(saved, pixels, branchPixels);
      results.push({
        expected,
        title,
        split: catalog.splits.get(movie.imdbId),
        line: formatPredictionLine(movie, dataset.genres, probabilities),
      });
    }
  }
  return results;
}

/** Lines for `count` test films picked at random (seeded, so reruns show the same films). */
export function sampleLines(
  data: GenreData,
  probabilities: Float32Array,
  count: number,
  seed = 1,
): string[] {
  const random = seededRandom(seed);
  const rows = new Set<number>();
  while (rows.size < Math.min(count, data.movies.length)) rows.add(Math.floor(random() * data.movies.length));
  const g = data.genres.length;
  return [...rows].sort((a, b) => a - b).map((row) =>
    formatPredictionLine(data.movies[row], data.genres, probabilities.subarray(row * g, (row + 1) * g))
  );
}
