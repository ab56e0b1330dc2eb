/**
 * One line saying how a model is trained, for logs and the comparison table.
 *
 * ```ts
 * import { modelDefaults } from "../config.ts";
 * import { describeModelConfig } from "./describe.ts";
 * describeModelConfig(modelDefaults(4)); // "v4, binary_crossentropy, AdamW 0.003 (wd 0.05, cosine, warm-up 1), batch 32, augment"
 * ```
 *
 * @module
 */
import { type ModelConfig, optimizerOf, scheduleOf } from "../config.ts";

/** The version, loss, optimizer with its schedule, batch size and augmentation of `config`. */
export function describeModelConfig(config: ModelConfig): string {
  const schedule = scheduleOf(config);
  const optimizer = optimizerOf(config) === "adamw"
    ? `AdamW ${config.learningRate} (wd ${config.weightDecay ?? 0}, ${schedule}` +
      (schedule === "cosine" ? `, warm-up ${config.warmupEpochs ?? 0})` : ")")
    : `RMSprop ${config.learningRate}`;
  const augment = config.augment ? `, augment${config.augment.mirror ? "+mirror" : ""}` : "";
  const heads = config.targets?.length
    ? `, heads ${config.targets.join("+")}${config.headWeight !== undefined ? ` x${config.headWeight}` : ""}`
    : "";
  return `v${config.version}, ${config.loss}, ${optimizer}, batch ${config.batchSize}${augment}${heads}`;
}
