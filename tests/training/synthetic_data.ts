/**
 * A synthetic split for training tests: tiny images whose "genres" are visible colours, so a model
 * can learn them in seconds on the CPU backend.
 */
import { DEFAULT_DATASET, type Genre } from "../../lib/config.ts";
import { genreData } from "../../lib/dataset/load.ts";
import type { GenreData, Movie, Split } from "../../lib/dataset/types.ts";
import { seededRandom } from "../../lib/util/random.ts";

/** Side of the synthetic images: the smallest the genre CNN's two conv blocks accept is 12. */
export const SYNTHETIC_SIZE = 12;

/**
 * `count` noisy 12x12 images; Comedy is a bright red channel, Drama a bright green one; every film
 * has one or both, like the real data where each film has at least one genre of the group.
 * `swapped` paints each genre in the other's colour: a split on which learning the colours makes the
 * validation loss worse epoch after epoch.
 */
export function colourGenres(
  count: number,
  seed: number,
  split: Split = "train",
  swapped = false,
): GenreData {
  const genres: Genre[] = ["Comedy", "Drama"];
  const size = SYNTHETIC_SIZE;
  const random = seededRandom(seed);
  const pixels = new Uint8Array(count * size * size * 3);
  const movies: Movie[] = [];
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(random() * 3); // 0: Comedy, 1: Drama, 2: both
    const has = [kind !== 1, kind !== 0];
    movies.push({
      imdbId: seed * 10000 + i,
      title: `Synthetic ${i}`,
      year: 2000,
      genres: genres.filter((_, j) => has[j]),
      imdbLink: "",
      line: i + 2,
    });
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) {
        const bright = c < 2 && has[swapped ? 1 - c : c];
        pixels[(i * size * size + p) * 3 + c] = Math.floor((bright ? 150 : 0) + random() * 100);
      }
    }
  }
  const config = { ...DEFAULT_DATASET, genres, dataDir: "synthetic" };
  return genreData(config, split, movies, pixels, [count, size, size, 3]);
}
