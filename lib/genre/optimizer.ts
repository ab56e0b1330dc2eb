/**
 * The optimizer a {@linkcode ModelConfig} asks for, with its learning-rate schedule.
 *
 * ```ts
 * import { modelDefaults } from "../config.ts";
 * import { createOptimizer } from "./optimizer.ts";
 * const config = modelDefaults(4);
 * const { optimizer, beforeStep } = createOptimizer(config, 225 * config.epochs, 225);
 * beforeStep(0); // sets the rate of step 0
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { checkModelConfig, type ModelConfig, optimizerOf, scheduleOf } from "../config.ts";
import { AdamWOptimizer } from "../training/adamw.ts";
import { createRmsprop } from "../training/rmsprop.ts";
import { learningRateAt } from "../training/schedule.ts";

/** An optimizer and the hook that sets its learning rate for a step. */
export interface ScheduledOptimizer {
  optimizer: tf.Optimizer;
  /** Sets the learning rate of global step `step` (0-based over the run); returns it. */
  beforeStep(step: number): number;
}

/**
 * Builds the optimizer of `config` for a run of `totalSteps` steps, `stepsPerEpoch` per epoch. Throws
 * for a config {@linkcode checkModelConfig} refuses (e.g. the cosine schedule with RMSprop).
 */
export function createOptimizer(
  config: ModelConfig,
  totalSteps: number,
  stepsPerEpoch: number,
): ScheduledOptimizer {
  checkModelConfig(config);
  const schedule = {
    peak: config.learningRate,
    schedule: scheduleOf(config),
    warmupSteps: Math.round((config.warmupEpochs ?? 0) * stepsPerEpoch),
    totalSteps,
  } as const;
  if (optimizerOf(config) === "adamw") {
    const optimizer = new AdamWOptimizer(config.learningRate, config.weightDecay ?? 0);
    return {
      optimizer,
      beforeStep(step) {
        const rate = learningRateAt(schedule, step);
        optimizer.setLearningRate(rate);
        return rate;
      },
    };
  }
  // RMSprop keeps its rate: checkModelConfig allows it only the constant schedule.
  return { optimizer: createRmsprop(config.learningRate), beforeStep: () => config.learningRate };
}
