import assert from "node:assert/strict";
import { filmLabel, formatPredictionLine } from "../../lib/evaluation/prediction_lines.ts";
import type { Movie } from "../../lib/dataset/types.ts";

const movie = (title: string, year: number, genres: string[]): Movie => ({
  imdbId: 1,
  title,
  year,
  genres,
  imdbLink: "",
  line: 2,
});

const SEVEN = ["Comedy", "Drama", "Action", "Animation", "Romance", "Adventure", "Horror"];

Deno.test("formatPredictionLine reproduces the original's line for The Matrix", () => {
  const matrix = movie("The Matrix", 1999, ["Action", "Sci-Fi"]);
  const probabilities = [0.05, 0.25, 0.91, 0.01, 0.02, 0.13, 0.03];
  assert.equal(
    formatPredictionLine(matrix, SEVEN, probabilities),
    "The Matrix (1999)                ['Action: 91%', 'Drama[!]: 25%', 'Adventure[!]: 13%']",
  );
});

Deno.test("long titles are cut to 20 characters and padded to column 33, as the original did", () => {
  const chtis = movie("Bienvenue chez les Ch'tis", 2008, ["Comedy", "Romance"]);
  assert.equal(filmLabel(chtis), "Bienvenue chez les C.. (2008)");
  const line = formatPredictionLine(chtis, SEVEN, [0.98, 0.07, 0, 0, 0.98, 0, 0]);
  assert.equal(line, "Bienvenue chez les C.. (2008)    ['Comedy: 98%', 'Romance: 98%', 'Drama[!]: 7%']");
});
