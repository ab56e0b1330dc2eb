/**
 * The record of a DCGAN run (metadata.json, lib/gan/run.ts) as training keeps it: started, resumed,
 * brought to a position, and what a resume must match.
 *
 * @module
 */
import { DEFAULT_DCGAN_SHAPE, DEFAULT_OBJECTIVE } from "../config.ts";
import { resolveShape } from "../models/dcgan.ts";
import type { Position } from "../training/checkpoint.ts";
import type { RunMetadata } from "./run.ts";
import type { DcganTrainOptions } from "./train.ts";

/**
 * What a resume compares: the networks, the set and how they train. A setting an old run does not
 * record is filled in by readRunMetadata with what that run trained with.
 */
export function resumeRecord(metadata: RunMetadata) {
  return {
    shape: { ...DEFAULT_DCGAN_SHAPE, ...metadata.shape, seed: undefined },
    set: metadata.dataset.key,
    training: { ...DEFAULT_OBJECTIVE, ...metadata.training },
  };
}

/** The metadata of a run that starts now. */
export function newMetadata(
  options: DcganTrainOptions,
  stepsPerEpoch: number,
  grid: { rowLabels?: string[]; columnLabels?: string[] },
): RunMetadata {
  const { shape, set } = options;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  return {
    name: options.runDir.split("/").at(-1)!,
    startedAt: new Date().toISOString(),
    updatedAt: "",
    shape: resolveShape(shape),
    conditional: shape.conditionSize > 0,
    training: {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      ...(options.discriminatorLearningRate !== undefined
        ? { discriminatorLearningRate: options.discriminatorLearningRate }
        : {}),
      beta1: options.beta1,
      ...(options.beta2 !== undefined ? { beta2: options.beta2 } : {}),
      decayEpochs: options.decayEpochs,
      ...DEFAULT_OBJECTIVE,
      ...objective,
      sampleRate: options.sampleRate,
      seed: options.seed,
    },
    dataset: { key: set.key, selection: set.selection, count: set.movies.length, stepsPerEpoch },
    backend: options.backend,
    gridLayout: {
      rows: options.gridRows,
      columns: options.gridColumns,
      ...(grid.rowLabels ? { rowLabels: grid.rowLabels, columnLabels: grid.columnLabels } : {}),
    },
    step: 0,
    epoch: 0,
    finished: false,
    history: [],
    quality: [],
    timings: { trainSeconds: 0, stepsPerSecond: 0, imagesPerSecond: 0 },
  };
}

/** The saved record of a run being resumed, with what this call may change. */
export function resumedMetadata(
  metadata: RunMetadata,
  position: Position,
  options: DcganTrainOptions,
): RunMetadata {
  // Steps after the checkpoint were lost with the interrupted process: forget their records.
  metadata.history = metadata.history.filter((h) => h.step <= position.step);
  metadata.quality = metadata.quality.filter((q) => q.step <= position.step);
  metadata.training.epochs = options.epochs;
  metadata.training.decayEpochs = options.decayEpochs;
  metadata.training.sampleRate = options.sampleRate;
  metadata.backend = options.backend;
  metadata.finished = false;
  return metadata;
}

/** The run's record at `position`. */
export function withPosition(
  record: RunMetadata,
  position: Position,
  options: DcganTrainOptions,
): RunMetadata {
  const seconds = position.trainSeconds;
  record.step = position.step;
  record.epoch = position.epoch;
  record.timings = {
    trainSeconds: seconds,
    stepsPerSecond: seconds > 0 ? position.step / seconds : 0,
    imagesPerSecond: seconds > 0 ? (position.step * options.batchSize) / seconds : 0,
  };
  return record;
}
