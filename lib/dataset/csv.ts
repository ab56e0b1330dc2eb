/**
 * Parses `MovieGenre.csv` in the Kaggle layout (`imdbId,Imdb Link,Title,IMDB Score,Genre,Poster`)
 * into typed {@linkcode Movie} records, with npm:csv-parse (jsr:@std/csv can't be installed here).
 *
 * Bytes are read as UTF-8 when they are valid UTF-8, else as latin-1 (the Kaggle file's encoding). A
 * UTF-16 file (as some spreadsheet programs save "Unicode text") is refused with how to convert it.
 * Columns are found by header name, so pandas re-saves with an extra index column also parse.
 * A row that can't be a movie (no imdbId, a repeated imdbId) is skipped and counted in
 * {@linkcode CsvParseResult.skipped}, never a crash; a file that is cut off or not a CSV throws a
 * {@linkcode CsvFormatError} naming the file and line.
 *
 * @module
 */
import { CsvError, parse } from "csv-parse/sync";
import type { Movie } from "./types.ts";

/** The Kaggle header, in order. */
export const CSV_COLUMNS = ["imdbId", "Imdb Link", "Title", "IMDB Score", "Genre", "Poster"] as const;

/** A CSV that can't be read at all (truncated, not the Kaggle layout). Names the file and line. */
export class CsvFormatError extends Error {
  override name = "CsvFormatError";
}

/** Why a CSV row was not turned into a movie. */
export type CsvSkipReason = "invalid imdbId" | "duplicate imdbId";

/** What {@linkcode parseMovieCsv} read. */
export interface CsvParseResult {
  /** Data rows in the file (header excluded). */
  rows: number;
  /** One movie per distinct valid imdbId, in file order. */
  movies: Movie[];
  /** Rows not turned into movies, by reason, with their line numbers. */
  skipped: Map<CsvSkipReason, number[]>;
  /** The text encoding the bytes were read with. */
  encoding: "utf-8" | "latin-1";
}

/** Decodes CSV bytes: UTF-8 (a BOM is dropped) when valid, else latin-1. */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: "utf-8" | "latin-1" } {
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes),
      encoding: "utf-8",
    };
  } catch {
    // "latin1" in the Encoding standard is windows-1252, which is what such files really hold.
    return { text: new TextDecoder("latin1").decode(bytes), encoding: "latin-1" };
  }
}

/** Reads and parses a `MovieGenre.csv` file. */
export async function readMovieCsv(path: string): Promise<CsvParseResult> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CsvFormatError(
        `${path} not found: import a dataset first, e.g. \`deno task data --from ../shared/data/movie-posters\`.`,
      );
    }
    throw error;
  }
  return parseMovieCsvBytes(bytes, path);
}

/**
 * Whether CSV bytes are UTF-16: a byte-order mark (FF FE little-endian, FE FF big-endian), or, without
 * one, the zero bytes that ASCII text has every other byte in UTF-16.
 */
export function isUtf16(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  const head = bytes.subarray(0, Math.min(bytes.length, 64));
  if (head.length < 8) return false;
  const zerosAt = (parity: number) => head.filter((b, i) => i % 2 === parity && b === 0).length;
  const half = Math.floor(head.length / 2);
  return zerosAt(0) === half || zerosAt(1) === half;
}

/** Parses the bytes of a `MovieGenre.csv`; `file` names it in errors. */
export function parseMovieCsvBytes(bytes: Uint8Array, file: string): CsvParseResult {
  if (isUtf16(bytes)) {
    throw new CsvFormatError(
      `${file} is UTF-16: save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 ${file} > MovieGenre-utf8.csv, ` +
        `then use that file as MovieGenre.csv).`,
    );
  }
  const { text, encoding } = decodeCsvBytes(bytes);
  return { ...parseMovieCsv(text, file), encoding };
}

/** Parses the text of a `MovieGenre.csv`; `file` names it in errors. */
export function parseMovieCsv(text: string, file = "MovieGenre.csv"): Omit<CsvParseResult, "encoding"> {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === "number" ? error.lines : "?";
      throw new CsvFormatError(
        `${file} line ${line}: ${error.message}. The file looks truncated or corrupt; ` +
          `import it again from the original download (deno task data --from DIR).`,
      );
    }
    throw error;
  }
  if (records.length === 0) {
    throw new CsvFormatError(`${file} is empty: expected a header ${CSV_COLUMNS.join(",")}.`);
  }
  const column = columnIndexes(records[0].record, file);

  const movies: Movie[] = [];
  const skipped = new Map<CsvSkipReason, number[]>();
  const skip = (reason: CsvSkipReason, line: number) => {
    if (!skipped.has(reason)) skipped.set(reason, []);
    skipped.get(reason)!.push(line);
  };
  const seen = new Set<number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const imdbId = parseImdbId(record[column.imdbId]);
    if (imdbId === undefined) {
      skip("invalid imdbId", line);
      continue;
    }
    if (seen.has(imdbId)) {
      skip("duplicate imdbId", line);
      continue;
    }
    seen.add(imdbId);
    movies.push(movieFromFields(imdbId, record, column, line));
  }
  return { rows: records.length - 1, movies, skipped };
}

type ColumnIndexes = Record<"imdbId" | "imdbLink" | "title" | "score" | "genre" | "poster", number>;

function columnIndexes(header: string[], file: string): ColumnIndexes {
  const names = header.map((name) => name.trim());
  const find = (name: string) => {
    const index = names.indexOf(name);
    if (index < 0) {
      throw new CsvFormatError(
        `${file} line 1: no column "${name}"; expected the Kaggle header ${CSV_COLUMNS.join(",")} ` +
          `(found ${names.join(",")}).`,
      );
    }
    return index;
  };
  return {
    imdbId: find("imdbId"),
    imdbLink: find("Imdb Link"),
    title: find("Title"),
    score: find("IMDB Score"),
    genre: find("Genre"),
    poster: find("Poster"),
  };
}

/** `114709`, `0114709` or `tt0114709` → 114709; anything else → undefined. */
export function parseImdbId(text: string | undefined): number | undefined {
  const match = /^(?:tt)?(\d{1,10})$/.exec((text ?? "").trim());
  if (!match) return undefined;
  const id = Number(match[1]);
  return id > 0 ? id : undefined;
}

/** Splits `Toy Story (1995)` into the title and the year; a title without `(YYYY)` has no year. */
export function splitTitleYear(text: string): { title: string; year?: number } {
  const match = /^(.*?)\s*\((\d{4})\)\s*$/.exec(text.trim());
  if (!match) return { title: text.trim() };
  return { title: match[1], year: Number(match[2]) };
}

function movieFromFields(imdbId: number, record: string[], column: ColumnIndexes, line: number): Movie {
  const { title, year } = splitTitleYear(record[column.title] ?? "");
  const movie: Movie = {
    imdbId,
    title,
    genres: (record[column.genre] ?? "").split("|").map((g) => g.trim()).filter(Boolean),
    imdbLink: (record[column.imdbLink] ?? "").trim(),
    line,
  };
  // Optional fields are set only when present (plain assignment: spreads cost a third of the parse).
  if (year !== undefined) movie.year = year;
  const scoreText = (record[column.score] ?? "").trim();
  const score = Number(scoreText);
  if (scoreText !== "" && Number.isFinite(score)) movie.score = score;
  const posterUrl = validUrl(record[column.poster]);
  if (posterUrl !== undefined) movie.posterUrl = posterUrl;
  return movie;
}

/** An http(s) URL with a host, or undefined (empty cells and stubs like `http://` are no URL). */
function validUrl(text: string | undefined): string | undefined {
  const trimmed = (text ?? "").trim();
  if (!trimmed) return undefined;
  try {
    const url = new URL(trimmed);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname ? trimmed : undefined;
  } catch {
    return undefined;
  }
}
