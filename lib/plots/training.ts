/**
 * Training curves: loss and validation metrics per epoch, as `deno task train` saves them next to a
 * model (`curves.png`) and as the training notebook redraws them after every epoch.
 *
 * @module
 */
import { join } from "node:path";
import type { EpochRecord } from "../models/metadata.ts";
import type { SavedModelMetadata } from "../models/saved.ts";
import type { Figure } from "./figure.ts";
import { lineChart } from "./charts.ts";
import { stackFigures, titled } from "./render.ts";

/**
 * Two panels: training and validation loss; validation mean average precision and the original
 * project's accuracy. Each epoch is a dot, so a one-epoch run still shows something.
 */
export function plotTrainingHistory(
  history: readonly EpochRecord[],
  options: {
    title?: string;
    width?: number;
    /** The epoch whose weights were kept (a saved model's `bestEpoch`): the subtitle quotes it. */
    keptEpoch?: number;
  } = {},
): Figure {
  if (history.length === 0) throw new Error("plotTrainingHistory: the history has no epoch yet.");
  const width = options.width ?? 640;
  const epochs = history.map((r) => r.epoch);
  const xDomain: [number, number] = [Math.min(...epochs, 1), Math.max(...epochs, 2)];
  const series = (name: string, value: (r: EpochRecord) => number) => ({
    name,
    points: history.map((r) => ({ x: r.epoch, y: value(r) })),
  });
  const common = { width, height: 220, xLabel: "epoch →", xDomain, dots: true, integerX: true };
  const loss = lineChart(
    [series("training loss", (r) => r.loss), series("validation loss", (r) => r.validationLoss)],
    { ...common, yLabel: "↑ loss" },
  );
  const quality = lineChart(
    [
      series("validation mAP", (r) => r.validationMeanAveragePrecision),
      series("validation accuracy (original)", (r) => r.validationOriginalAccuracy),
    ],
    { ...common, yLabel: "↑ score", yDomain: [0, 1] },
  );
  const kept = history.find((r) => r.epoch === options.keptEpoch);
  const quoted = kept ?? history[history.length - 1];
  return titled(
    stackFigures([loss, quality], "column", 12),
    options.title ?? "Training curves",
    `${history.length} epoch${history.length === 1 ? "" : "s"}; ${
      kept ? `kept: epoch ${kept.epoch}` : "last"
    }: ` +
      `loss ${quoted.loss.toFixed(4)}, val_loss ${quoted.validationLoss.toFixed(4)}, ` +
      `val_mAP ${quoted.validationMeanAveragePrecision.toFixed(3)}`,
  );
}

/**
 * Draws a saved model's training curves (quoting its kept epoch) into `curves.png` in its folder `dir`,
 * as `deno task train` and `deno task main` leave them; returns the file's path.
 */
export async function saveTrainingCurves(dir: string, metadata: SavedModelMetadata): Promise<string> {
  const path = join(dir, "curves.png");
  await plotTrainingHistory(metadata.history, { title: metadata.name, keptEpoch: metadata.bestEpoch })
    .writePng(path);
  return path;
}
