/**
 * One line saying how a model is trained, for logs and the comparison table.
 *
 * ```ts
 * import { modelDefaults } from "../config.ts";
 * import { describeModelConfig } from "./describe.ts";
 * describeModelConfig(modelDefaults(1)); // "v1, binary_crossentropy, RMSprop 0.0001, batch 32"
 * ```
 *
 * @module
 */
import { FEATURE_NETWORK_NAMES, type ModelConfig, optimizerOf, scheduleOf } from "../config.ts";

/** The version, loss, optimizer with its schedule, batch size, augmentation, heads, branch and test views of `config`. */
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
  const branch = config.featureBranch
    ? `, + ${
      FEATURE_NETWORK_NAMES[config.featureBranch.network].name
    } branch at ratio ${config.featureBranch.ratio}${
      config.featureBranch.refit ? ", its head refit on train+validation" : ""
    }`
    : "";
  const views = config.testTimeMirror ? ", answers averaged with the mirror image" : "";
  return `v${config.version}, ${config.loss}, ${optimizer}, batch ${config.batchSize}${augment}${heads}${branch}${views}`;
}
