/**
 * A model card (Mitchell et al. 2019, in short) for a saved genre model: what it was trained on and
 * how, the command and commit that made it, its test figures beside the baselines, how well its
 * probabilities are calibrated, and what it cannot do. Everything in it is read from the model's
 * metadata.json and one evaluation on the test split, so the card is remade, never edited.
 *
 * @module
 */
import { join } from "node:path";
import { savedModelDir, type SavedModelMetadata, type TestEvaluation } from "../models/saved.ts";
import { type Calibration, calibration } from "../evaluation/calibration.ts";
import { evaluateSavedModel, type ModelEvaluation } from "../evaluation/evaluate.ts";
import { describeModelConfig } from "../genre/describe.ts";
import { FEATURE_NETWORK_NAMES, type RegressionTarget } from "../config.ts";
import { formatTargetError } from "../models/targets.ts";
import { writeFileAtomic } from "../util/files.ts";

/** What a card is made from. */
export interface ModelCardInput {
  metadata: SavedModelMetadata;
  /** The model's figures on the test split. */
  test: TestEvaluation;
  /** Test posters judged. */
  testPosters: number;
  /** Calibration of the test probabilities. */
  calibration: Calibration;
  /** Share of test posters whose top-ranked genre is each genre, and share that have it. */
  topGenre: { genre: string; top: number; truth: number }[];
  /** The command that trained the model, and the commit of the code that ran it. */
  trainedBy: { command: string; commit: string };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");

/** The card as Markdown. */
export function modelCardMarkdown(input: ModelCardInput): string {
  const { metadata: m, test, calibration, topGenre } = input;
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);
  const splitCount = m.splitCounts;
  add(
    `# Model card: ${m.name}`,
    "",
    "A genre classifier for movie posters: it reads a poster and gives each of its genres an independent",
    "probability (multi-label)" +
      (m.regression ? ", and estimates the film's " + Object.keys(m.regression).join(" and ") + "." : "."),
    "It is for learning and exploring what posters say about their films, not for decisions about people",
    "or films.",
    "",
    "## Data",
    "",
    `- The Kaggle "Movie Genre from its Poster" data (\`MovieGenre.csv\` and 182x268 IMDb posters), films of ` +
      `${m.dataset.minYear}-${m.dataset.maxYear} with a poster and at least one of the genres ` +
      `${m.genres.join(", ")}.`,
    `- Splits by a fixed rule on the IMDb id (lib/dataset/split.ts): test when \`imdbId % 7 === 0\`; of ` +
      "the rest, every 6th film of each year (by id) is validation; the others train. Training: " +
      `${splitCount.train} posters, validation: ${splitCount.validation}, test: ${input.testPosters}.`,
    `- Posters are read at ${m.imageSize.width}x${m.imageSize.height} pixels (ratio ${m.dataset.ratio}% of ` +
      "182x268).",
    "",
    "## Recipe",
    "",
    `- ${describeModelConfig(m.model)}; ${m.history.length} epochs trained, the weights of epoch ` +
      `${m.bestEpoch} kept (lowest validation loss)${m.stoppedEarly ? ", stopped early" : ""}.`,
    ...branchLines(m),
    `- Chosen on the validation split only; the decision threshold ${f3(m.threshold)} too.`,
    ...(m.model.testTimeMirror
      ? [
        "- Answers average each poster's outputs with its mirror image's (test-time views, the recipe's " +
        "setting, measured on validation in docs/experiments.md); training and the choices above see each " +
        "poster once, unmirrored.",
      ]
      : []),
    `- Made by \`${input.trainedBy.command}\` at commit ${input.trainedBy.commit}, on the ${m.backend} ` +
      `backend (${(m.timings.trainSeconds / 60).toFixed(1)} min of training steps).`,
    "",
    "## Test figures",
    "",
    `On ${test.model.count} test posters (never seen in training or in any choice), evaluated ` +
      `${test.evaluatedAt.slice(0, 10)}. The baseline gives every poster the training split's genre ` +
      "frequencies.",
    "",
    "| | model | baseline |",
    "| --- | --- | --- |",
    `| mean average precision | ${f3(test.model.meanAveragePrecision)} | ${
      f3(test.baseline.meanAveragePrecision)
    } |`,
    `| the original's accuracy | ${pct(test.model.originalAccuracy)} | ${
      pct(test.baseline.originalAccuracy)
    } |`,
    `| macro F1 | ${f3(test.model.macroF1)} | ${f3(test.baseline.macroF1)} |`,
    `| mean ROC AUC | ${f3(test.model.meanRocAuc)} | ${f3(test.baseline.meanRocAuc)} |`,
    "",
    "Per genre (average precision; a poster-blind guess scores the genre's share of posters):",
    "",
    "| genre | test posters with it | AP | baseline AP | ROC AUC | F1 |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  test.model.perGenre.forEach((g, k) => {
    const base = test.baseline.perGenre[k];
    add(
      `| ${g.genre} | ${g.positives} | ${f3(g.averagePrecision)} | ${f3(base.averagePrecision)} | ` +
        `${f3(g.rocAuc)} | ${f3(g.f1)} |`,
    );
  });
  if (test.regression) {
    add(
      "",
      "Release year and IMDb rating, mean absolute error beside predicting the training mean for every poster:",
      "",
      "| target | test posters | MAE | baseline MAE | baseline (training mean) |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const [target, r] of Object.entries(test.regression)) {
      add(
        `| ${target} | ${r!.count} | ${formatTargetError(target as RegressionTarget, r!.mae)} | ${
          formatTargetError(target as RegressionTarget, r!.baselineMae)
        } | ${r!.baseline.toFixed(1)} |`,
      );
    }
  }
  add(
    "",
    "## Calibration",
    "",
    "Every (poster, genre) probability is one prediction; in each band, how often the genre was true. " +
      `Expected calibration error: ${f3(calibration.expectedError)}.`,
    "",
    "| probability | predictions | mean probability | true |",
    "| --- | --- | --- | --- |",
  );
  for (const b of calibration.bins.filter((b) => b.count > 0)) {
    add(`| ${pct(b.from)}-${pct(b.to)} | ${b.count} | ${pct(b.predicted)} | ${pct(b.observed)} |`);
  }
  const never = topGenre.filter((t) => t.top < 0.005);
  const biased =
    [...topGenre].sort((a, b) => b.top / Math.max(b.truth, 1e-9) - a.top / Math.max(a.truth, 1e-9))[0];
  add(
    "",
    "## Known limits",
    "",
    "- Top-ranked genre against truth on the test split: " +
      topGenre.map((t) => `${t.genre} first on ${pct(t.top)} of posters (has it: ${pct(t.truth)})`).join(
        "; ",
      ) +
      `. ${biased.genre} is the genre it leans to: first on ${pct(biased.top)} of posters, true on ` +
      `${pct(biased.truth)}` +
      (never.length ? `; never first: ${never.map((t) => t.genre).join(", ")}.` : "."),
    m.blend
      ? `- The CNN sees ${m.imageSize.width}x${m.imageSize.height} pixels and the branch ` +
        `${m.blend.imageSize.width}x${m.blend.imageSize.height}; neither reads the text (titles, credits).`
      : `- It sees ${m.imageSize.width}x${m.imageSize.height} pixels: small text (titles, credits) is mostly lost.`,
    `- Only the ${m.genres.length} genres above; films of ${m.dataset.minYear}-${m.dataset.maxYear}, mostly ` +
      "American posters; a poster from elsewhere or another era is outside what it learnt.",
    "- Year and rating come from the poster alone; a poster says little about a film's rating.",
    "",
    "## Licence notes",
    "",
    "- The posters are film-studio artwork, copyright of their owners; the labels come from IMDb via Kaggle.",
    "  The data is research-only and is not in this repository; only the trained weights are.",
    "- The weights are numbers learnt from that data: use them for learning and research.",
    ...(m.blend
      ? [
        `- The branch's frozen networks (${
          FEATURE_NETWORK_NAMES[m.blend.config.network].name
        }) are the ones ` +
        "that the npm package nsfwjs 4.4 (MIT licence) bundles; their weights install with that package and " +
        "are not in this folder.",
      ]
      : []),
    "",
  );
  return lines.join("\n");
}

/** The recipe's lines on a pretrained branch: what it is, its weights in the blend and why. */
function branchLines(m: ModelCardInput["metadata"]): string[] {
  const blend = m.blend;
  if (!blend) return [];
  const { cnn, branch, blend: both } = blend.validation;
  const network = FEATURE_NETWORK_NAMES[blend.config.network];
  const targets = Object.keys(both.mae);
  const figures = (part: typeof cnn) =>
    [
      `mAP ${f3(part.meanAveragePrecision)}`,
      ...targets.map((t) =>
        `${t} MAE ${formatTargetError(t as RegressionTarget, part.mae[t as RegressionTarget]!)}`
      ),
    ]
      .join(", ");
  return [
    `- A pretrained branch: the ${network.name} that nsfwjs 4.4 bundles (ImageNet-initialised, then ` +
    `fine-tuned by nsfwjs's authors on 5 content classes), frozen, reading the poster at ` +
    `${blend.imageSize.width}x${blend.imageSize.height}; a head on the ${network.features} ` +
    `(dropout ${blend.config.dropout}, Adam ` +
    `${blend.config.learningRate}, ${blend.config.epochs} epochs) gives genres` +
    (targets.length ? `, ${targets.join(" and ")}` : "") + ".",
    `- The answer is the blend \`(1 - w) * CNN + w * branch\`, w chosen on validation: ${blend.genreWeight} for ` +
    "the genres" + targets.map((t, k) => `, ${blend.headWeights[k]} for ${t}`).join("") +
    ". On validation: " +
    `the CNN ${figures(cnn)}; the branch ${figures(branch)}; the blend ${figures(both)}.`,
    ...(blend.config.refit
      ? [
        `- Then the head trained again, with the same settings, on the ${m.splitCounts.train} training and ` +
        `${m.splitCounts.validation} validation posters together; the model answers with that head. The ` +
        "weights, the threshold and the validation figures above are the first head's, trained on the " +
        "training posters alone.",
      ]
      : []),
  ];
}

/** Where the card of a model folder is written. */
export const MODEL_CARD_FILE = "MODEL_CARD.md";

/** How {@linkcode writeModelCard} finds the model, its data and its story. */
export interface WriteModelCardOptions {
  /** The folder of saved models that holds it. */
  modelsDir: string;
  /** The dataset folder to judge it on (default: the model's own). */
  dataDir?: string;
  /** The command that trained it and the commit of that code. */
  trainedBy: { command: string; commit: string };
}

/**
 * Evaluates the saved model `name` on the test split and writes its card into its folder as
 * MODEL_CARD.md (atomically); returns the path and the evaluation.
 */
export async function writeModelCard(
  name: string,
  options: WriteModelCardOptions,
): Promise<{ path: string; evaluation: ModelEvaluation }> {
  const evaluation = await evaluateSavedModel(name, {
    savedModelsDir: options.modelsDir,
    dataDir: options.dataDir,
    split: "test",
    sampleSize: 0,
  });
  const { probabilities, labels, genres } = evaluation.testPredictions;
  const count = labels.length / genres.length;
  const topGenre = genres.map((genre, g) => {
    let top = 0;
    let truth = 0;
    for (let i = 0; i < count; i++) {
      const row = probabilities.subarray(i * genres.length, (i + 1) * genres.length);
      if (row.indexOf(Math.max(...row)) === g) top++;
      truth += labels[i * genres.length + g];
    }
    return { genre, top: top / count, truth: truth / count };
  });
  const markdown = modelCardMarkdown({
    metadata: evaluation.metadata,
    test: evaluation.test,
    testPosters: evaluation.posters,
    calibration: calibration(probabilities, labels),
    topGenre,
    trainedBy: options.trainedBy,
  });
  const path = join(savedModelDir(name, options.modelsDir), MODEL_CARD_FILE);
  await writeFileAtomic(path, new TextEncoder().encode(markdown));
  return { path, evaluation };
}
