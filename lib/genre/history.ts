/**
 * Training history: one record per epoch, and the early-stopping rule over it.
 *
 * @module
 */
import { bestEpoch, type EpochRecord } from "../models/metadata.ts";

/**
 * Whether to stop: the last `patience` epochs brought no validation loss below the best one before
 * them (Keras' EarlyStopping with min_delta 0). `patience` 0 never stops.
 */
export function shouldStopEarly(history: readonly EpochRecord[], patience: number): boolean {
  if (patience <= 0 || history.length <= patience) return false;
  const best = bestEpoch(history)!;
  return history[history.length - 1].epoch - best.epoch >= patience;
}

/** One line per epoch for logs: `epoch 2/5  loss 0.4123  val_loss 0.4011  val_mAP 0.412 ...`. */
export function formatEpoch(record: EpochRecord, epochs: number): string {
  return `epoch ${record.epoch}/${epochs}  loss ${record.loss.toFixed(4)}  ` +
    `val_loss ${record.validationLoss.toFixed(4)}  val_mAP ${
      record.validationMeanAveragePrecision.toFixed(3)
    }  ` +
    `val_acc(original) ${(record.validationOriginalAccuracy * 100).toFixed(1)}%  ` +
    Object.entries(record.validationMae ?? {}).map(([target, mae]) =>
      `val_MAE(${target}) ${mae.toFixed(2)}  `
    )
      .join("") +
    `${record.imagesPerSecond.toFixed(1)} images/s`;
}
