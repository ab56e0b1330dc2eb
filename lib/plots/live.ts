/**
 * A live view of a training run in a notebook: the training loss of every batch (and its moving
 * average) redrawn in place every few seconds, and the epoch lines under it, also in place, so a
 * long run shows one chart and one block of text instead of thousands of lines.
 *
 * ```ts
 * import { DEFAULT_DATASET, DEFAULT_MODEL } from "../config.ts";
 * import { loadGenreData } from "../dataset/load.ts";
 * import { trainOnSplits } from "../genre/train.ts";
 * import { TrainingMonitor } from "./live.ts";
 * const train = await loadGenreData(DEFAULT_DATASET, "train");
 * const validation = await loadGenreData(DEFAULT_DATASET, "validation");
 * const monitor = new TrainingMonitor("genres7_ratio30_v1");
 * await trainOnSplits(train, validation, DEFAULT_MODEL, { onBatch: monitor.onBatch, log: monitor.log });
 * await monitor.finish();
 * ```
 *
 * @module
 */
import { lineChart } from "./charts.ts";
import { show } from "./display.ts";
import { jupyter, type JupyterDisplay } from "../util/jupyter.ts";
import { plotTrainingHistory } from "./training.ts";
import type { EpochRecord } from "../models/metadata.ts";

/** One training step as the trainer reports it. */
export interface BatchStep {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

let monitors = 0;

/** Collects batch losses and log lines of a run and redraws them in place in the notebook. */
export class TrainingMonitor {
  readonly #title: string;
  readonly #redrawMs: number;
  readonly #id = `posterlab-monitor-${Date.now()}-${monitors++}`;
  readonly #points: { x: number; y: number }[] = [];
  readonly #average: { x: number; y: number }[] = [];
  readonly #lines: string[] = [];
  #history: EpochRecord[] = [];
  readonly #jupyter: JupyterDisplay | undefined;
  #lastDraw = -Infinity;
  #drawing: Promise<void> = Promise.resolve();

  /**
   * `redrawSeconds`: least time between two redraws of the chart; `jupyter`: the kernel's display API
   * (default: the kernel's when in a notebook; tests pass a fake).
   */
  constructor(title: string, options: { redrawSeconds?: number; jupyter?: JupyterDisplay } = {}) {
    this.#title = title;
    this.#redrawMs = (options.redrawSeconds ?? 3) * 1000;
    this.#jupyter = options.jupyter ?? jupyter();
  }

  /** Pass as the trainer's `onBatch`. */
  onBatch = (step: BatchStep): void => {
    const x = step.epoch - 1 + step.batch / step.batches;
    this.#points.push({ x, y: step.loss });
    // Exponential moving average over ~20 batches: the trend under the batch-to-batch noise.
    const previous = this.#average.at(-1)?.y ?? step.loss;
    this.#average.push({ x, y: previous + (step.loss - previous) * 0.1 });
    if (performance.now() - this.#lastDraw >= this.#redrawMs) this.#redraw();
  };

  /**
   * Pass as the trainer's `onEpoch`: redraws the per-epoch curves (loss, validation mAP) in place
   * under the batch chart.
   */
  onEpoch = (_record: EpochRecord, history: readonly EpochRecord[]): void => {
    this.#history = [...history];
    this.#redraw();
  };

  /** Pass as the trainer's `log`: epoch lines and notes, shown under the chart (stderr outside notebooks). */
  log = (line: string): void => {
    this.#lines.push(line);
    if (!this.#jupyter) console.error(line);
    else this.#redraw();
  };

  /** Draws the final state; await it before the cell ends. */
  async finish(): Promise<void> {
    this.#redraw();
    await this.#drawing;
  }

  #redraw(): void {
    if (!this.#jupyter) return;
    this.#lastDraw = performance.now();
    // Chained, so two redraws never race and the last state is drawn last.
    this.#drawing = this.#drawing.then(async () => {
      if (this.#points.length > 0) {
        await show(
          lineChart([
            { name: "training loss per batch", points: [...this.#points] },
            { name: "moving average", points: [...this.#average] },
          ], {
            title: this.#title,
            subtitle: `${this.#points.length} batches`,
            xLabel: "epoch →",
            yLabel: "↑ loss",
            height: 240,
          }),
          `${this.#id}-chart`,
          this.#jupyter,
        );
      }
      if (this.#history.length > 0) {
        await show(
          plotTrainingHistory(this.#history, { title: "Per epoch" }),
          `${this.#id}-epochs`,
          this.#jupyter,
        );
      }
      if (this.#lines.length > 0) {
        const log = { mimeBundle: () => ({ "text/plain": this.#lines.join("\n") }) };
        await show(log, `${this.#id}-log`, this.#jupyter);
      }
    }).catch((error) => console.error(`training monitor: ${error}`));
  }
}
