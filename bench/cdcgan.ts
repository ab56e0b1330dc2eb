/**
 * The recommended DCGAN run's training step (docs/dcgan.md, "The recommended run's commands":
 * `dcgan:train --conditional --size 64x96 --filters 32 --batch 32`), `--only cdcgan`: the conditional
 * networks of lib/config.ts DEFAULT_DCGAN_SHAPE (resize-then-convolve upsampling, the generator's
 * conditional batch norm, the projection discriminator with the AC-GAN classifier head) and
 * DEFAULT_OBJECTIVE's step (cross-entropy with real posters at 0.9, DiffAugment colour + translation
 * + cutout on every image the discriminator sees, the classifier's loss, then the generator's 0.999
 * weight average updated), beside the same in PyTorch. By default on the backend training picks
 * only (a step of the recommended run takes seconds on WASM); `--backend` names others. `--quick`:
 * 32x48 with 16 filters.
 *
 * @module
 */
import { DEFAULT_DCGAN_SHAPE, DEFAULT_OBJECTIVE } from "../lib/config.ts";
import { CONDITION_SIZE } from "../lib/models/dcgan.ts";
import { type DcganCase, dcganSuite } from "./dcgan.ts";
import type { BenchSuite } from "./types.ts";

/** The recommended run's networks and objective: dcgan:train's defaults with its command's flags. */
export const RECOMMENDED_CASE: DcganCase = {
  suite: "cdcgan",
  shape: (options) => ({
    ...DEFAULT_DCGAN_SHAPE,
    ...(options.quick ? { width: 32, height: 48, filters: 16 } : { width: 64, height: 96, filters: 32 }),
    conditionSize: CONDITION_SIZE,
  }),
  objective: DEFAULT_OBJECTIVE,
  fastestOnly: true,
};

/** The recommended conditional DCGAN's step, `--only cdcgan`. */
export const suite: BenchSuite = dcganSuite(RECOMMENDED_CASE);
