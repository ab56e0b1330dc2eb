import assert from "node:assert/strict";
import {
  f1ByThreshold,
  precisionRecallCurve,
  precisionRecallCurves,
  topGenreCases,
  topGenres,
} from "../../lib/plots/diagnostics.ts";
import { averagePrecision } from "../../lib/evaluation/metrics.ts";
import type { Movie } from "../../lib/dataset/types.ts";

function movie(imdbId: number): Movie {
  return { imdbId, title: `M${imdbId}`, year: 2000, genres: [], imdbLink: "", line: imdbId };
}

Deno.test("precisionRecallCurve has a point per distinct score, ending at recall 1", () => {
  const points = precisionRecallCurve([0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0]);
  assert.deepEqual(points, [
    { recall: 0.5, precision: 1 },
    { recall: 1, precision: 2 / 3 }, // the two 0.8s are one threshold
    { recall: 1, precision: 0.5 },
  ]);
  assert.deepEqual(precisionRecallCurve([0.3, 0.2], [0, 0]), []);
});

Deno.test("precisionRecallCurve thins long curves and keeps the last point", () => {
  const n = 1000;
  const scores = Array.from({ length: n }, (_, i) => 1 - i / n);
  const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const points = precisionRecallCurve(scores, labels, 50);
  assert.equal(points.length, 50);
  assert.deepEqual(points.at(-1), { recall: 1, precision: labels.filter(Boolean).length / n });
});

Deno.test("precisionRecallCurves labels each genre with its average precision and skips empty ones", () => {
  // Two films, two genres (row-major): nobody has genre B.
  const curves = precisionRecallCurves([0.9, 0.2, 0.4, 0.7], [1, 0, 0, 0], ["A", "B"]);
  assert.deepEqual(curves.map((c) => c.label), ["A"]);
  assert.equal(curves[0].averagePrecision, averagePrecision([0.9, 0.4], [1, 0]));
});

Deno.test("topGenres ranks genres and marks the ones the film doesn't have", () => {
  const probabilities = [0.1, 0.9, 0.5, /* film 2 */ 0.2, 0.3, 0.4];
  const labels = [0, 1, 0, 1, 0, 0];
  assert.deepEqual(topGenres(probabilities, labels, ["A", "B", "C"], 0, 2), ["B 90%", "C 50% ✗"]);
  assert.deepEqual(topGenres(probabilities, labels, ["A", "B", "C"], 1), ["C 40% ✗", "B 30% ✗", "A 20%"]);
});

Deno.test("topGenreCases splits films into hits and misses, most confident first", () => {
  const probabilities = [0.9, 0.1, /**/ 0.3, 0.6, /**/ 0.2, 0.8];
  const labels = [1, 0, /**/ 1, 0, /**/ 0, 1];
  const { hits, misses } = topGenreCases([movie(1), movie(2), movie(3)], probabilities, labels, ["A", "B"]);
  assert.deepEqual(hits.map((c) => [c.movie.imdbId, c.genre, c.probability]), [[1, "A", 0.9], [3, "B", 0.8]]);
  assert.deepEqual(misses.map((c) => [c.movie.imdbId, c.genre]), [[2, "B"]]);
});

Deno.test("f1ByThreshold gives micro and macro F1 at each candidate threshold", () => {
  const series = f1ByThreshold([0.9, 0.1, 0.2, 0.8], [1, 0, 0, 1], 2);
  assert.deepEqual(series.map((s) => s.name), ["micro F1", "macro F1"]);
  assert.equal(series[0].points.length, 19);
  assert.deepEqual(series[0].points[9], { x: 0.5, y: 1 });
  assert.equal(series[0].points[18].y, 0); // at 0.95 nothing is predicted
});
