/**
 * What a trained genre model gets right and wrong, as data for the evaluation notebook's figures:
 * precision-recall curves, F1 against the decision threshold, the top genres of a poster with their
 * probabilities, and the films the model was most and least sure about.
 *
 * Predictions and labels are row-major `[films, genres]` matrices, as in lib/evaluation/metrics.ts.
 *
 * @module
 */
import type { Movie } from "../dataset/types.ts";
import { averagePrecision, CANDIDATE_THRESHOLDS, column, f1Scores } from "../evaluation/metrics.ts";
import type { PrCurve, Series } from "./charts.ts";

/**
 * The precision-recall curve of one genre: a point after each distinct score, highest score first,
 * thinned to at most `maxPoints` points (the last one, recall 1, is always kept). Empty when no film
 * has the genre.
 */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  maxPoints = 200,
): { recall: number; precision: number }[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0;
  if (positives === 0) return [];
  const points: { recall: number; precision: number }[] = [];
  let truePositives = 0;
  for (let k = 0; k < order.length; k++) {
    truePositives += labels[order[k]] ? 1 : 0;
    // Films with equal scores are one threshold: one point after the last of them.
    if (k < order.length - 1 && scores[order[k + 1]] === scores[order[k]]) continue;
    points.push({ recall: truePositives / positives, precision: truePositives / (k + 1) });
  }
  if (points.length <= maxPoints) return points;
  const step = points.length / (maxPoints - 1);
  const thinned = Array.from({ length: maxPoints - 1 }, (_, i) => points[Math.floor(i * step)]);
  return [...thinned, points[points.length - 1]];
}

/** One {@linkcode PrCurve} per genre that has at least one film, labelled with its average precision. */
export function precisionRecallCurves(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  genres: readonly string[],
): PrCurve[] {
  return genres.flatMap((genre, j) => {
    const scores = column(probabilities, genres.length, j);
    const truth = column(labels, genres.length, j);
    const points = precisionRecallCurve(scores, truth);
    return points.length ? [{ label: genre, averagePrecision: averagePrecision(scores, truth), points }] : [];
  });
}

/** Micro and macro F1 at each candidate threshold (0.05 ... 0.95), as two series for a line chart. */
export function f1ByThreshold(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  genres: number,
): Series[] {
  const scores = CANDIDATE_THRESHOLDS.map((t) => ({ t, ...f1Scores(probabilities, labels, genres, t) }));
  return [
    { name: "micro F1", points: scores.map((s) => ({ x: s.t, y: s.micro })) },
    { name: "macro F1", points: scores.map((s) => ({ x: s.t, y: s.macro })) },
  ];
}

/**
 * The `top` most probable genres of film `row`, as `Action 91%`, with ` ✗` after a genre the film
 * doesn't have.
 */
export function topGenres(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  genres: readonly string[],
  row: number,
  top = 3,
): string[] {
  const g = genres.length;
  return genres
    .map((genre, j) => ({ genre, p: probabilities[row * g + j], has: labels[row * g + j] !== 0 }))
    .sort((a, b) => b.p - a.p)
    .slice(0, top)
    .map(({ genre, p, has }) => `${genre} ${Math.round(p * 100)}%${has ? "" : " ✗"}`);
}

/** A film judged by its most probable genre. */
export interface TopGenreCase {
  row: number;
  movie: Movie;
  genre: string;
  probability: number;
  /** Whether the film has its most probable genre. */
  hit: boolean;
}

/**
 * Every film judged by its most probable genre, split into hits (the film has that genre) and misses,
 * each sorted from the most to the least confident.
 */
export function topGenreCases(
  movies: readonly Movie[],
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  genres: readonly string[],
): { hits: TopGenreCase[]; misses: TopGenreCase[] } {
  const g = genres.length;
  const cases = movies.map((movie, row) => {
    let best = 0;
    for (let j = 1; j < g; j++) if (probabilities[row * g + j] > probabilities[row * g + best]) best = j;
    return {
      row,
      movie,
      genre: genres[best],
      probability: probabilities[row * g + best],
      hit: labels[row * g + best] !== 0,
    };
  }).sort((a, b) => b.probability - a.probability);
  return { hits: cases.filter((c) => c.hit), misses: cases.filter((c) => !c.hit) };
}
