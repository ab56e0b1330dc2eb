import assert from "node:assert/strict";
import {
  formatTargetError,
  parseTargets,
  regressionEstimates,
  regressionHeads,
  scalingsFor,
  targetScaling,
  unscale,
} from "../../lib/models/targets.ts";
import type { Movie } from "../../lib/dataset/types.ts";

const movie = (year: number | undefined, score: number | undefined): Movie => ({
  imdbId: 1,
  title: "t",
  year,
  score,
  genres: ["Drama"],
  imdbLink: "",
  line: 2,
});

Deno.test("--targets: genres required, year and rating in output order, unknown names refused", () => {
  assert.deepEqual(parseTargets(["genres"]), []);
  assert.deepEqual(parseTargets(["rating", "genres", "year"]), ["year", "rating"]);
  assert.throws(() => parseTargets(["year"]), /must include genres/);
  assert.throws(() => parseTargets(["genres", "budget"]), /Unknown target budget: use genres, year, rating/);
});

Deno.test("scalings come from the training films that have a value; estimates are unscaled in output order", () => {
  assert.deepEqual(targetScaling([1990, 2000, 2010]), { mean: 2000, std: Math.sqrt(200 / 3) });
  assert.deepEqual(targetScaling([7, 7]), { mean: 7, std: 1 }, "no spread: std 1, not a division by 0");
  const scalings = scalingsFor([movie(1990, 6), movie(2010, undefined), movie(2000, 8)], ["year", "rating"]);
  assert.equal(scalings.year!.mean, 2000);
  assert.deepEqual(scalings.rating, { mean: 7, std: 1 });
  assert.throws(() => scalingsFor([movie(2000, undefined)], ["rating"]), /No training film has a rating/);
  assert.deepEqual(regressionHeads({ rating: { mean: 7, std: 1 }, year: { mean: 2000, std: 10 } }), [
    "year",
    "rating",
  ]);
  assert.equal(unscale({ mean: 2000, std: 10 }, -0.5), 1995);
  assert.deepEqual(
    regressionEstimates({ regression: { year: { mean: 2000, std: 10 }, rating: { mean: 7, std: 2 } } }, [[
      0.3,
    ], [-1]]),
    { year: 2003, rating: 5 },
  );
  assert.deepEqual(regressionEstimates({}, []), {});
});

Deno.test("formatTargetError: years to a hundredth, ratings to a thousandth", () => {
  assert.equal(formatTargetError("year", 5.8759), "5.88");
  assert.equal(formatTargetError("rating", 0.78474), "0.785");
});
