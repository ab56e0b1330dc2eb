/**
 * Plots for the CLIs and notebooks: Observable Plot rendered server-side (linkedom), returned as
 * {@linkcode Figure} (SVG, PNG on white) or {@linkcode Picture} (composed PNG), shown in Jupyter
 * in a form that survives the HTML/PDF report export.
 *
 * ```ts
 * import { loadGenreModel } from "../models/saved.ts";
 * import { plotTrainingHistory } from "./mod.ts";
 * const { metadata } = await loadGenreModel("genres7_ratio30_v1_e2_1977-2017_bce");
 * await plotTrainingHistory(metadata.history).writePng("curves.png");
 * ```
 *
 * @module
 */
export { Figure, type MimeBundle, Picture } from "./figure.ts";
export { escapeXml, PALETTE, renderPlot, seriesColor, stackFigures, swatches, titled } from "./render.ts";
export {
  type Bar,
  barChart,
  type ChartOptions,
  type Column,
  columnChart,
  type GroupedBar,
  groupedBarChart,
  heatmap,
  histogram,
  lineChart,
  type Matrix,
  type PrCurve,
  prCurves,
  scatterChart,
  type Series,
} from "./charts.ts";
export { plotTrainingHistory } from "./training.ts";
export { type GridItem, posterGrid, type PosterGridOptions, type RawImage } from "./posters.ts";
export { type CellValue, formatCell, Table, table } from "./table.ts";
export { comparisonRowsTable } from "./comparison_table.ts";
export { type Displayable, inNotebook, show } from "./display.ts";
export { type BatchStep, TrainingMonitor } from "./live.ts";
