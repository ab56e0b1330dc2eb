/**
 * Test results as tables (text in a terminal, HTML in a notebook): the model against the frequency
 * baseline, and per genre; and the whole of what `deno task evaluate` prints for one model.
 *
 * @module
 */
import type { ModelEvaluation } from "../evaluation/evaluate.ts";
import { namedTitleLines } from "../evaluation/named_lines.ts";
import type { TestEvaluation } from "../models/saved.ts";
import type { RegressionTarget } from "../config.ts";
import { formatTargetError } from "../models/targets.ts";
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

/**
 * What `deno task evaluate` (and the main job) prints for one evaluated model: a heading, the model
 * against the baseline, per genre, the regression heads' errors, the original's named titles and a
 * sample of predictions.
 */
export function evaluationLines(evaluation: ModelEvaluation): string[] {
  const { name, test, named, sample, posters, split, mirrored } = evaluation;
  const what = split === "all" ? "all splits" : `${split} split`;
  const lines = [
    "",
    `== ${name} ==  (${posters.toLocaleString("en-US")} posters judged: ${what} of ${test.dataDir}, ` +
    `${test.imagesPerSecond.toFixed(0)} images/s${mirrored ? "; each averaged with its mirror image" : ""})`,
    ...(evaluation.metadata.blend?.config.refit && (split === "validation" || split === "all")
      ? [
        "note: the branch's head also trained on the validation posters (its refit), so figures on them " +
        "are not out of sample; the ones the choices saw are in metadata.json, blend.validation",
      ]
      : []),
    comparisonTable(test).text(),
    "",
    perGenreTable(test).text(),
  ];
  for (const [target, r] of Object.entries(test.regression ?? {})) {
    const unit = target === "year" ? " years" : " points";
    lines.push(
      `${target}: mean absolute error ${
        formatTargetError(target as RegressionTarget, r.mae)
      }${unit}; baseline ` +
        `(the training mean, ${r.baseline.toFixed(1)}) ${
          formatTargetError(target as RegressionTarget, r.baselineMae)
        }${unit}; ${r.count} ${split === "all" ? "posters of all splits" : `${split} posters`}`,
    );
  }
  lines.push(
    "",
    "The original's named titles ([!]: the film doesn't have that genre; split in brackets):",
    ...namedTitleLines(named),
    "",
    `A sample of ${split === "all" ? "test" : split} posters:`,
    ...sample,
  );
  return lines;
}
