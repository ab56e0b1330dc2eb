/**
 * Plain records of the dataset: a movie, the splits, and the loaded tensors of a split.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { DatasetConfig, Genre } from "../config.ts";

/** One row of `MovieGenre.csv`, typed. */
export interface Movie {
  /** IMDb id without `tt` and leading zeros; also the poster's file name. */
  imdbId: number;
  /** Title without the year, e.g. `The Matrix`. */
  title: string;
  /** Release year, parsed from the title's `(1999)`; undefined when the title has none. */
  year?: number;
  /** Genres in the CSV's order (any IMDb genre, not only the 14). */
  genres: string[];
  /** IMDb score 0-10; undefined when empty. */
  score?: number;
  /** Poster URL from the CSV; undefined when empty. */
  posterUrl?: string;
  /** IMDb page URL from the CSV. */
  imdbLink: string;
  /** 1-based line number of the row in the CSV file (header is line 1), for error messages. */
  line: number;
}

/** The three splits. Test: imdbId % 7 == 0; validation: every 6th remaining movie of a year; the rest train. */
export type Split = "train" | "validation" | "test";

/** A split loaded for training or evaluation. */
export interface GenreData {
  /** The config it was loaded for. */
  config: DatasetConfig;
  /** Which split. */
  split: Split;
  /** Output order of the label columns (equals `config.genres`). */
  genres: Genre[];
  /** The movies, in the row order of `pixels` and `labels`. */
  movies: Movie[];
  /** Shape of the image batch: [count, height, width, 3]. */
  shape: [number, number, number, 3];
  /** Decoded RGB pixels, row-major NHWC, uint8. */
  pixels: Uint8Array;
  /** Multi-hot labels, row-major [count, genres.length], 0 or 1. */
  labels: Uint8Array;
  /** Images as float32 in [0, 1], shape `shape`; the caller disposes it. `indices` picks rows. */
  images(indices?: ArrayLike<number>): tf.Tensor4D;
  /** Labels as float32 0/1, shape [count, genres]; the caller disposes it. `indices` picks rows. */
  labelTensor(indices?: ArrayLike<number>): tf.Tensor2D;
}
