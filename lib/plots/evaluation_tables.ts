/**
 * Test results as tables (text in a terminal, HTML in a notebook): the model against the frequency
 * baseline, and per genre.
 *
 * @module
 */
import type { TestEvaluation } from "../models/saved.ts";
import { type Table, table } from "./table.ts";

/** Metric | model | frequency baseline, one row per metric. */
export function comparisonTable(test: TestEvaluation, caption?: string): Table {
  const { model, baseline } = test;
  const split = test.split === "all" ? "all splits" : test.split ?? "test";
  const row = (metric: string, m: number, b: number, note = "") => ({ metric, model: m, baseline: b, note });
  return table([
    row(
      "mean average precision",
      model.meanAveragePrecision,
      baseline.meanAveragePrecision,
      "higher is better",
    ),
    row("mean ROC AUC", model.meanRocAuc, baseline.meanRocAuc, "0.5 = no ranking"),
    row("micro F1", model.microF1, baseline.microF1, `threshold ${model.threshold} / ${baseline.threshold}`),
    row("macro F1", model.macroF1, baseline.macroF1),
    row("hamming loss", model.hammingLoss, baseline.hammingLoss, "lower is better"),
    row(
      "accuracy (original's)",
      model.originalAccuracy,
      baseline.originalAccuracy,
      "top genre = first true genre",
    ),
    { metric: "loss", model: test.loss, baseline: undefined, note: `training loss on ${split}` },
  ], { caption: caption ?? `${model.count} ${split} posters` });
}

/** Genre | films | AP | ROC AUC | F1 for the model, and the baseline's AP. */
export function perGenreTable(test: TestEvaluation): Table {
  return table(test.model.perGenre.map((g, j) => ({
    genre: g.genre,
    films: g.positives,
    AP: g.averagePrecision,
    "baseline AP": test.baseline.perGenre[j].averagePrecision,
    "ROC AUC": g.rocAuc,
    F1: g.f1,
  })));
}
