/**
 * Fixture makers for tests: CSV text in the Kaggle layout, JPEGs made with sharp, and whole small
 * dataset folders in temp dirs. Any test may import these.
 *
 * ```ts
 * import { DEFAULT_DATASET } from "../lib/config.ts";
 * import { loadGenreData } from "../lib/dataset/load.ts";
 * import { makeFixtureDataDir } from "./fixtures.ts";
 * const { dataDir } = await makeFixtureDataDir({ movies: 40, ratio: 30 });
 * const data = await loadGenreData({ ...DEFAULT_DATASET, dataDir }, "train", { progress: false });
 * ```
 *
 * @module
 */
import sharp from "sharp";
import { join } from "node:path";
import { ALL_GENRES, type DatasetConfig, DEFAULT_MODEL, imageSize } from "../lib/config.ts";
import type { SavedModelMetadata } from "../lib/models/saved.ts";
import { resizePosters } from "../lib/dataset/resize_posters.ts";

/** How a fixture poster is made: a normal JPEG, or one of the awkward sources real data has. */
export type PosterKind = "jpeg" | "cmyk" | "gray" | "png-in-jpg" | "large" | "corrupt" | "empty" | "none";

/** A movie of a fixture CSV; unset fields get plausible values. */
export interface FixtureMovie {
  imdbId: number;
  /** Title without year (default `Movie <imdbId>`). */
  title?: string;
  /** Release year; `null` writes a title without `(year)`. Default 2000. */
  year?: number | null;
  /** Genres (default `["Drama"]`); `[]` writes an empty Genre cell. */
  genres?: string[];
  score?: number;
  /** Poster URL cell (default empty). */
  posterUrl?: string;
  /** Poster file to write in `posters/` (default "jpeg"). */
  poster?: PosterKind;
}

/** Quotes a CSV field when it holds a comma, quote or line break (minimal quoting, as Kaggle). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `MovieGenre.csv` text in the Kaggle layout for `movies`, header included, LF line ends. */
export function movieCsvText(movies: readonly FixtureMovie[]): string {
  const lines = ["imdbId,Imdb Link,Title,IMDB Score,Genre,Poster"];
  for (const m of movies) {
    const year = m.year === undefined ? 2000 : m.year;
    const title = `${m.title ?? `Movie ${m.imdbId}`}${year === null ? "" : ` (${year})`}`;
    lines.push(
      [
        String(m.imdbId),
        `http://www.imdb.com/title/tt${m.imdbId}`,
        title,
        m.score === undefined ? "" : String(m.score),
        (m.genres ?? ["Drama"]).join("|"),
        m.posterUrl ?? "",
      ].map(csvField).join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** Options of {@linkcode makeJpeg}. */
export interface ImageOptions {
  width?: number;
  height?: number;
  /** Fill colour, RGB 0-255 (default mid grey). */
  color?: [number, number, number];
  /** `srgb` (default), `cmyk` or `gray` JPEG, or `png` bytes. */
  kind?: "srgb" | "cmyk" | "gray" | "png" | "png-alpha";
}

/** Image bytes made with sharp: a colour field with a darker band, 182x268 by default. */
export async function makeJpeg(options: ImageOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const { width = 182, height = 268, color = [128, 128, 128], kind = "srgb" } = options;
  const channels = kind === "png-alpha" ? 4 : 3;
  const raw = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    // A band in the top third, so images are not flat and resizing has something to average.
    const shade = y < height / 3 ? 0.5 : 1;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      raw[i] = color[0] * shade;
      raw[i + 1] = color[1] * shade;
      raw[i + 2] = color[2] * shade;
      if (channels === 4) raw[i + 3] = x < width / 2 ? 255 : 0;
    }
  }
  let image = sharp(raw, { raw: { width, height, channels } });
  if (kind === "cmyk") image = image.toColourspace("cmyk");
  if (kind === "gray") image = image.toColourspace("b-w");
  const buffer = kind === "png" || kind === "png-alpha"
    ? await image.png().toBuffer()
    : await image.jpeg().toBuffer();
  return new Uint8Array(buffer); // a copy: a plain ArrayBuffer, usable as a fetch Response body
}

/** A JPEG header followed by garbage: sharp refuses it. */
export function corruptJpeg(): Uint8Array {
  const bytes = new Uint8Array(600).map((_, i) => (i * 37) % 251);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 0);
  return bytes;
}

/**
 * A poster colour that carries the movie's genres (red: Comedy, green: Drama, blue: Action, plus a
 * little per-id variation), so tiny models can learn something from fixtures.
 */
export function posterColor(movie: FixtureMovie): [number, number, number] {
  const genres = movie.genres ?? ["Drama"];
  const jitter = (movie.imdbId * 13) % 40;
  return [0, 1, 2].map((k) => (genres.includes(ALL_GENRES[k]) ? 200 : 30) + jitter) as [
    number,
    number,
    number,
  ];
}

/** Writes the poster file of `movie` (as its {@linkcode PosterKind} says) to `path`. */
export async function writePoster(path: string, movie: FixtureMovie): Promise<void> {
  const kind = movie.poster ?? "jpeg";
  const color = posterColor(movie);
  const bytes = kind === "none"
    ? undefined
    : kind === "corrupt"
    ? corruptJpeg()
    : kind === "empty"
    ? new Uint8Array()
    : kind === "large"
    ? await makeJpeg({ width: 300, height: 450, color })
    : await makeJpeg({ color, kind: kind === "png-in-jpg" ? "png" : kind === "jpeg" ? "srgb" : kind });
  if (bytes) await Deno.writeFile(path, bytes);
}

/**
 * `count` movies over 1995-1999 (so each year has enough for a validation movie) with varied genres from the 14 (every movie has 1-3 of them),
 * imdbIds 1001, 1002, ... All have a poster unless changed by the caller.
 */
export function fixtureMovies(count: number): FixtureMovie[] {
  return Array.from({ length: count }, (_, i) => ({
    imdbId: 1001 + i,
    title: `Movie ${i}`,
    year: 1995 + (i % 5),
    genres: [...new Set([ALL_GENRES[i % 3], ALL_GENRES[(i * 5) % 7], ALL_GENRES[(i * 3) % 14]])].slice(
      0,
      1 + (i % 3),
    ),
    score: 5 + (i % 5),
  }));
}

/** Options of {@linkcode makeFixtureDataDir}. */
export interface FixtureDataDirOptions {
  /** The movies, or how many of {@linkcode fixtureMovies} (default 40). */
  movies?: FixtureMovie[] | number;
  /** Also write `images/<ratio>/` for these ratios (default none). */
  ratio?: number | number[];
  /** Folder to fill (default a new temp dir). */
  dir?: string;
}

/** A dataset folder in a temp dir: `MovieGenre.csv`, `posters/`, and resized images when asked. */
export async function makeFixtureDataDir(
  options: FixtureDataDirOptions = {},
): Promise<{ dataDir: string; movies: FixtureMovie[] }> {
  const movies = typeof options.movies === "number" || options.movies === undefined
    ? fixtureMovies(options.movies ?? 40)
    : options.movies;
  const dataDir = options.dir ?? await Deno.makeTempDir({ prefix: "posterlab-fixture-" });
  await Deno.mkdir(join(dataDir, "posters"), { recursive: true });
  await Deno.writeTextFile(join(dataDir, "MovieGenre.csv"), movieCsvText(movies));
  await Promise.all(movies.map((m) => writePoster(join(dataDir, "posters", `${m.imdbId}.jpg`), m)));
  const ratios = options.ratio === undefined ? [] : [options.ratio].flat();
  const readable = movies.filter((m) => !["none", "corrupt", "empty"].includes(m.poster ?? "jpeg"));
  for (const ratio of ratios) {
    await resizePosters(dataDir, ratio, readable.map((m) => m.imdbId), { progress: false });
  }
  return { dataDir, movies };
}

/**
 * The metadata.json of a small saved model on `dataset` (an untrained one, as tests save): 7 genres,
 * 40 training and 8 validation posters, fixed frequencies and thresholds; `overrides` replace fields.
 */
export function fixtureModelMetadata(
  name: string,
  dataset: DatasetConfig,
  overrides: Partial<SavedModelMetadata> = {},
): SavedModelMetadata {
  const { width, height } = imageSize(dataset.ratio);
  return {
    name,
    savedAt: new Date().toISOString(),
    dataset,
    model: DEFAULT_MODEL,
    imageSize: { width, height },
    genres: dataset.genres,
    splitCounts: { train: 40, validation: 8 },
    trainGenreFrequencies: [0.5, 0.4, 0.3, 0.1, 0.2, 0.2, 0.1],
    threshold: 0.5,
    baselineThreshold: 0.25,
    backend: "cpu",
    history: [],
    stoppedEarly: false,
    timings: { trainSeconds: 0, imagesPerSecond: 0, totalSeconds: 0 },
    ...overrides,
  };
}

/**
 * Starts the command-line file `cli/<name>.ts` (with the project's deno.json) in the folder `cwd`, its
 * output piped; {@linkcode finished} waits for it.
 */
export function startCli(name: string, cwd: string, ...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      new URL(`../cli/${name}.ts`, import.meta.url).pathname,
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Waits for a started command: its exit code and its output as text. */
export async function finished(
  child: Deno.ChildProcess,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}
