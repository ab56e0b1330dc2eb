import assert from "node:assert/strict";
import { assignSplits } from "../../lib/dataset/split.ts";
import type { Movie } from "../../lib/dataset/types.ts";

const movie = (imdbId: number, year?: number): Movie => ({
  imdbId,
  title: "",
  ...(year ? { year } : {}),
  genres: ["Drama"],
  imdbLink: "",
  line: 0,
});

Deno.test("test split is exactly the movies with imdbId % 7 == 0", () => {
  const movies = Array.from({ length: 100 }, (_, i) => movie(i + 1, 2000));
  const splits = assignSplits(movies);
  for (const m of movies) {
    assert.equal(splits.get(m.imdbId) === "test", m.imdbId % 7 === 0, `imdbId ${m.imdbId}`);
  }
});

Deno.test("validation is every 6th remaining movie of each year, by imdbId", () => {
  // Year 2000: ids 1..13 without 7 → 1,2,3,4,5,6,8,9,10,11,12,13: the 6th (6) and 12th (13) validate.
  const year2000 = [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((id) => movie(id, 2000));
  // Year 2001 is counted on its own: its 6th movie by imdbId validates.
  const year2001 = [101, 102, 103, 104, 106, 108].map((id) => movie(id, 2001));
  const splits = assignSplits([...year2000, ...year2001]);
  const of = (split: string) =>
    [...splits].filter(([, s]) => s === split).map(([id]) => id).sort((a, b) => a - b);
  assert.deepEqual(of("test"), [7]);
  assert.deepEqual(of("validation"), [6, 13, 108]);
  assert.equal(of("train").length, 19 - 4);
});

Deno.test("the split does not depend on row order, and movies without a year have none", () => {
  const movies = Array.from({ length: 60 }, (_, i) => movie(1000 + i * 3, 1990 + (i % 4)));
  const reversed = assignSplits([...movies].reverse());
  assert.deepEqual(new Map([...assignSplits(movies)].sort()), new Map([...reversed].sort()));
  assert.equal(assignSplits([movie(5)]).size, 0);
});
