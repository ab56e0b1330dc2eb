/**
 * Plots for the CLIs and notebooks: Observable Plot rendered server-side (linkedom), returned as
 * {@linkcode Figure} (SVG, PNG on white) or {@linkcode Picture} (composed PNG), shown in Jupyter
 * in a form that survives the HTML/PDF report export.
 *
 * ```ts
 * import { plotTrainingHistory } from "./lib/plots.ts";
 * await plotTrainingHistory(history).writePng("saved_models/run/curves.png");
 * ```
 *
 * @module
 */
export { Figure, type MimeBundle, Picture } from "./plots/figure.ts";
export {
  escapeXml,
  PALETTE,
  renderPlot,
  seriesColor,
  stackFigures,
  swatches,
  titled,
} from "./plots/render.ts";
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
} from "./plots/charts.ts";
export { plotTrainingHistory } from "./plots/training.ts";
export { type GridItem, type GridOptions, posterGrid, type RawImage } from "./plots/posters.ts";
export { type CellValue, formatCell, Table, table } from "./plots/table.ts";
export { type Displayable, inNotebook, show } from "./plots/display.ts";
export { type BatchStep, TrainingMonitor } from "./plots/live.ts";
