/**
 * The data-load suite: `loadGenreData` for 7 genres, train split, at each ratio with images, twice —
 * first decoding every image (cache refreshed), then again from the pixel cache.
 */
import { DEFAULT_DATASET, genreGroup } from "../lib/config.ts";
import { loadGenreData, MissingImagesError } from "../lib/dataset/load.ts";
import { peakRssMiB, resetPeakRss } from "./memory.ts";
import type { BenchRecord, BenchSuite } from "./types.ts";

export const suite: BenchSuite = {
  name: "data-load",
  async run(options) {
    const records: BenchRecord[] = [];
    for (const ratio of options.ratios) {
      const config = {
        ...DEFAULT_DATASET,
        dataDir: options.dataDir,
        genres: genreGroup(7),
        ratio,
        ...(options.quick ? { limit: 500 } : {}),
      };
      for (
        const [note, refreshCache] of [["first load (decode)", true], ["second load (cache)", false]] as const
      ) {
        resetPeakRss();
        const start = performance.now();
        let count: number;
        try {
          count = (await loadGenreData(config, "train", { refreshCache, progress: false })).movies.length;
        } catch (error) {
          if (!(error instanceof MissingImagesError)) throw error;
          console.error(`data-load: ratio ${ratio} skipped: ${error.message}`);
          break;
        }
        const seconds = (performance.now() - start) / 1000;
        records.push({
          task: "data-load",
          backend: "none",
          ratio,
          batch: count,
          imagesPerSecond: count / seconds,
          peakRssMiB: peakRssMiB(),
          note: `${note}, ${count} train images, ${seconds.toFixed(2)} s`,
        });
      }
    }
    return records;
  },
};
