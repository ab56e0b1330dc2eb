/**
 * The quality figures of posters as `dcgan:sample` draws them (`dcgan:sample --quality`): the run's or
 * the shipped generator, with its candidates and truncation, measured as a run's own figures are
 * (generator_quality.ts: the same real posters, noise and conditions), so a sampling setting compares
 * with the run's last epoch figure for figure. Nothing is written.
 *
 * @module
 */
import { DEFAULT_DCGAN_TRAINING } from "../config.ts";
import { createLog, type Log } from "../util/log.ts";
import { imagesAtSize, readTrainingSet } from "./prepare.ts";
import { loadQualityCnn, type QualityRecord } from "./quality_cnn.ts";
import { loadInceptionJudge } from "./inception_distance.ts";
import {
  measureIndependent,
  measureQuality,
  type QualitySettings,
  realReference,
} from "./generator_quality.ts";
import { setConditions } from "./tensors.ts";
import {
  closeGenerator,
  describeSource,
  openGenerator,
  requestSampling,
  type SampleRequest,
  type SampleSource,
  type Sampling,
} from "./sample.ts";

/** What `dcgan:sample --quality` asks besides the sampling settings. */
export interface SamplingQualityRequest extends SampleRequest {
  /** The saved genre CNN whose features and heads judge (default: as the run's figures choose it). */
  qualityModel?: string;
  /** Real and generated posters per Fréchet distance (default the training's). */
  qualitySamples?: number;
  /** Also the independent judge (InceptionV3): minutes on 2 cores. */
  inception?: boolean;
  /**
   * The seed of the noise and of the real posters picked (default the run's, so the figures compare with
   * its own); another gives another sample of both, to see how far the figures move.
   */
  qualitySeed?: number;
}

/** Measures the posters a sample request would draw; the figures and which generator drew them. */
export async function measureSampling(
  request: SamplingQualityRequest,
  log: Log = createLog(),
): Promise<{ record: QualityRecord; source: SampleSource; sampling: Sampling }> {
  const opened = await openGenerator(request, true);
  const cnn = await loadQualityCnn(request.qualityModel).catch((error) => {
    closeGenerator(opened);
    throw error;
  });
  try {
    const set = opened.trainedOn;
    if (!set) {
      throw new Error(
        `${describeSource(opened.source)} has no record of its training set, whose posters its figures ` +
          `are measured against.`,
      );
    }
    const training = await readTrainingSet(set.dataDir, set.key).catch(() => {
      throw new Error(
        `The generator's training set ${set.key} is not in ${set.dataDir}/gan/ (its posters are what the ` +
          `figures compare with): run dcgan:prepare with the run's selection again.`,
      );
    });
    const chooser = opened.inputs.chooser;
    const sampling = requestSampling(request, opened);
    const settings: QualitySettings = {
      shape: opened.shape,
      seed: request.qualitySeed ?? opened.seed ?? DEFAULT_DCGAN_TRAINING.seed,
      qualitySamples: request.qualitySamples ?? DEFAULT_DCGAN_TRAINING.qualitySamples,
      sampling: { ...sampling, ...(chooser ? { chooser } : {}) },
    };
    const pixels = await imagesAtSize(training, opened.shape);
    const real = realReference(cnn, pixels, opened.shape, setConditions(training), settings);
    const record = measureQuality(cnn, real, opened.model, settings, opened.position);
    if (request.inception) {
      log("dcgan: loading InceptionV3 for the independent judge");
      const judge = await loadInceptionJudge();
      try {
        record.independent = await measureIndependent(judge, real, pixels, opened.model, settings);
      } finally {
        judge.dispose();
      }
    }
    return { record, source: opened.source, sampling };
  } finally {
    closeGenerator(opened);
    cnn.model.dispose();
  }
}
