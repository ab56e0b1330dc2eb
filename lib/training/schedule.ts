/**
 * Learning-rate schedules: the rate of each training step.
 *
 * `cosine` rises linearly from 0 over the warm-up steps (batch-norm statistics and Adam's moments
 * settle before large steps), then follows half a cosine from the peak down to 0 at the last step.
 *
 * `linearDecayTailAt` keeps the rate constant, then takes it linearly to 0 over a run's last steps, as
 * pix2pix and CycleGAN train their GANs (`n_epochs_decay`).
 *
 * ```ts
 * linearDecayTailAt({ peak: 2e-4, totalSteps: 1000, decaySteps: 200 }, 900); // 1e-4
 * learningRateAt({ peak: 3e-3, schedule: "cosine", warmupSteps: 100, totalSteps: 1000 }, 550); // 1.5e-3
 * ```
 *
 * @module
 */
import type { ScheduleName } from "../config.ts";

/** A schedule over a whole run. */
export interface Schedule {
  /** The configured learning rate (the rate after warm-up). */
  peak: number;
  schedule: ScheduleName;
  /** Steps of linear warm-up. */
  warmupSteps: number;
  /** Steps of the whole run. */
  totalSteps: number;
}

/** The learning rate of step `step` (0-based). */
export function learningRateAt(schedule: Schedule, step: number): number {
  if (schedule.schedule === "constant") return schedule.peak;
  const warmup = Math.max(0, Math.min(schedule.warmupSteps, schedule.totalSteps));
  if (step < warmup) return (schedule.peak * (step + 1)) / (warmup + 1);
  const decaySteps = Math.max(1, schedule.totalSteps - warmup);
  const progress = Math.min(1, (step - warmup) / decaySteps);
  return 0.5 * schedule.peak * (1 + Math.cos(Math.PI * progress));
}

/** A constant rate whose last `decaySteps` of `totalSteps` fall linearly to 0 (0: constant throughout). */
export interface DecayTail {
  peak: number;
  totalSteps: number;
  decaySteps: number;
}

/** The learning rate of step `step` (0-based): `peak` until the tail, then linearly towards 0. */
export function linearDecayTailAt({ peak, totalSteps, decaySteps }: DecayTail, step: number): number {
  if (decaySteps <= 0) return peak;
  return peak * Math.min(1, Math.max(0, totalSteps - step) / decaySteps);
}
