/**
 * Plots for the CLIs and notebooks: Observable Plot rendered server-side (linkedom), returned as
 * {@linkcode Figure} (SVG, PNG on white) or {@linkcode Picture} (composed PNG), shown in Jupyter
 * in a form that survives the HTML/PDF report export.
 *
 * ```ts
 * import { plotTrainingHistory } from "./lib/plots/mod.ts";
 * await plotTrainingHistory(history).writePng("saved_models/run/curves.png");
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
  type Series,
} from "./charts.ts";
export { plotTrainingHistory } from "./training.ts";
export { type GridItem, posterGrid, type PosterGridOptions, type RawImage } from "./posters.ts";
export { type CellValue, formatCell, Table, table } from "./table.ts";
export { type Displayable, inNotebook, show } from "./display.ts";
export { type BatchStep, TrainingMonitor } from "./live.ts";
