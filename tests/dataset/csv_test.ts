import assert from "node:assert/strict";
import {
  CsvFormatError,
  decodeCsvBytes,
  isUtf16,
  parseImdbId,
  parseMovieCsv,
  parseMovieCsvBytes,
  readMovieCsv,
  splitTitleYear,
} from "../../lib/dataset/csv.ts";
import { movieCsvText } from "../fixtures.ts";

const HEADER = "imdbId,Imdb Link,Title,IMDB Score,Genre,Poster";

Deno.test("parseMovieCsv reads Kaggle rows into typed movies", () => {
  const text =
    `${HEADER}\n114709,http://www.imdb.com/title/tt114709,Toy Story (1995),8.3,Animation|Adventure|Comedy,` +
    `"https://example.com/a,b.jpg"\n`;
  const { rows, movies, skipped } = parseMovieCsv(text, "x.csv");
  assert.equal(rows, 1);
  assert.equal(skipped.size, 0);
  assert.deepEqual(movies[0], {
    imdbId: 114709,
    title: "Toy Story",
    year: 1995,
    genres: ["Animation", "Adventure", "Comedy"],
    score: 8.3,
    posterUrl: "https://example.com/a,b.jpg",
    imdbLink: "http://www.imdb.com/title/tt114709",
    line: 2,
  });
});

Deno.test("parseMovieCsv keeps rows without year, genres, score or URL as movies without those fields", () => {
  const text = `${HEADER}\n1,l,No Year,,,\n2,l,Empty Url (2001),7,Drama,http://\n`;
  const { movies } = parseMovieCsv(text);
  assert.deepEqual(movies.map((m) => [m.year, m.genres, m.score, m.posterUrl]), [
    [undefined, [], undefined, undefined],
    [2001, ["Drama"], 7, undefined],
  ]);
});

Deno.test("parseMovieCsv counts rows with a bad or repeated imdbId instead of failing", () => {
  const text = `${HEADER}\nabc,l,A (2000),,Drama,\n5,l,B (2000),,Drama,\n5,l,B again (2000),,Drama,\n`;
  const { rows, movies, skipped } = parseMovieCsv(text);
  assert.equal(rows, 3);
  assert.deepEqual(movies.map((m) => m.title), ["B"]);
  assert.deepEqual(skipped.get("invalid imdbId"), [2]);
  assert.deepEqual(skipped.get("duplicate imdbId"), [4]);
});

Deno.test("parseMovieCsv finds columns by name (pandas re-save with an index column)", () => {
  const text = `,${HEADER}\n0,7,l,Seven (1995),8.6,Crime|Drama,\n`;
  assert.deepEqual(parseMovieCsv(text).movies.map((m) => [m.imdbId, m.genres]), [[7, ["Crime", "Drama"]]]);
});

Deno.test("a truncated CSV throws a CsvFormatError naming the file and line", () => {
  const cutInRow = `${HEADER}\n1,l,A (2000),,Drama,\n2,l,B (20`;
  assert.throws(() => parseMovieCsv(cutInRow, "data/MovieGenre.csv"), (error: Error) => {
    assert.ok(error instanceof CsvFormatError);
    assert.match(error.message, /data\/MovieGenre\.csv line 3/);
    assert.match(error.message, /truncated/);
    return true;
  });
  const cutInQuote = `${HEADER}\n1,l,A (2000),,Drama,"http://x/a,b`;
  assert.throws(() => parseMovieCsv(cutInQuote, "m.csv"), /m\.csv line 2: .*Quote Not Closed/);
});

Deno.test("a CSV without the Kaggle header names the missing column", () => {
  assert.throws(() => parseMovieCsv("id,name\n1,a\n", "m.csv"), /m\.csv line 1: no column "imdbId"/);
  assert.throws(() => parseMovieCsv("", "m.csv"), /m\.csv is empty/);
});

Deno.test("decodeCsvBytes reads latin-1 bytes and UTF-8 with a BOM", () => {
  const latin1 = new Uint8Array([0x41, 0x6d, 0xe9, 0x6c, 0x69, 0x65]); // "Amélie" in latin-1
  assert.deepEqual(decodeCsvBytes(latin1), { text: "Amélie", encoding: "latin-1" });
  const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("Amélie")]);
  assert.deepEqual(decodeCsvBytes(utf8), { text: "Amélie", encoding: "utf-8" });
});

Deno.test("parseMovieCsvBytes gives the same movie from latin-1 and UTF-8 files", () => {
  const text = `${HEADER}\n211915,l,Amélie (2001),8.3,Comedy|Romance,\n`;
  const latin1 = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const fromLatin1 = parseMovieCsvBytes(latin1, "a.csv");
  const fromUtf8 = parseMovieCsvBytes(new TextEncoder().encode(text), "b.csv");
  assert.equal(fromLatin1.encoding, "latin-1");
  assert.equal(fromUtf8.encoding, "utf-8");
  assert.equal(fromLatin1.movies[0].title, "Amélie");
  assert.deepEqual(fromLatin1.movies, fromUtf8.movies);
});

Deno.test("readMovieCsv reads a file, and a missing file says how to import one", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/MovieGenre.csv`,
    movieCsvText([{ imdbId: 3, year: 1999, genres: ["War"] }]),
  );
  const { movies } = await readMovieCsv(`${dir}/MovieGenre.csv`);
  assert.deepEqual(movies.map((m) => [m.imdbId, m.year, m.genres]), [[3, 1999, ["War"]]]);
  await assert.rejects(readMovieCsv(`${dir}/nope.csv`), /nope\.csv not found: .*deno task data --from/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("splitTitleYear and parseImdbId", () => {
  assert.deepEqual(splitTitleYear("Blade Runner 2049 (2017)"), { title: "Blade Runner 2049", year: 2017 });
  assert.deepEqual(splitTitleYear("Hotel Room"), { title: "Hotel Room" });
  assert.deepEqual(splitTitleYear("1984 (1984) "), { title: "1984", year: 1984 });
  assert.equal(parseImdbId("tt0114709"), 114709);
  assert.equal(parseImdbId(" 42 "), 42);
  assert.equal(parseImdbId("0"), undefined);
  assert.equal(parseImdbId("12a"), undefined);
});

Deno.test("a UTF-16 CSV (with or without a byte-order mark) says so and how to convert it, not 'truncated'", async () => {
  const text = `${HEADER}\n211915,l,Amélie (2001),8.3,Comedy|Romance,\n`;
  const le = new Uint8Array(text.length * 2);
  const be = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    le[2 * i] = text.charCodeAt(i);
    be[2 * i + 1] = text.charCodeAt(i);
  }
  const withBom = (bom: number[], body: Uint8Array) => new Uint8Array([...bom, ...body]);
  for (const bytes of [withBom([0xff, 0xfe], le), withBom([0xfe, 0xff], be), le, be]) {
    assert.ok(isUtf16(bytes));
    assert.throws(() => parseMovieCsvBytes(bytes, "data/MovieGenre.csv"), (error: Error) => {
      assert.ok(error instanceof CsvFormatError);
      assert.match(
        error.message,
        /^data\/MovieGenre\.csv is UTF-16: save it as UTF-8 \(e\.g\. iconv -f UTF-16 -t UTF-8/,
      );
      assert.doesNotMatch(error.message, /truncated|corrupt/);
      return true;
    });
  }
  assert.equal(isUtf16(new TextEncoder().encode(text)), false);
  assert.equal(isUtf16(Uint8Array.from(text, (c) => c.charCodeAt(0))), false, "latin-1 is not UTF-16");
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/MovieGenre.csv`, withBom([0xff, 0xfe], le));
  await assert.rejects(readMovieCsv(`${dir}/MovieGenre.csv`), /MovieGenre\.csv is UTF-16: save it as UTF-8/);
  await Deno.remove(dir, { recursive: true });
});
