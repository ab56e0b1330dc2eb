import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import sharp from "sharp";
import {
  barChart,
  columnChart,
  Figure,
  heatmap,
  inNotebook,
  lineChart,
  plotTrainingHistory,
  posterGrid,
  prCurves,
  renderPlot,
  scatterChart,
  show,
  stackFigures,
  table,
  TrainingMonitor,
} from "../../lib/plots/mod.ts";
import type { EpochRecord } from "../../lib/models/metadata.ts";
import { makeJpeg } from "../fixtures.ts";

/** RGB of pixel (x, y) of a PNG. */
async function pixel(png: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i], data[i + 1], data[i + 2]];
}

function record(epoch: number, loss: number): EpochRecord {
  return {
    epoch,
    loss,
    validationLoss: loss + 0.05,
    validationMeanAveragePrecision: 0.3 + epoch / 100,
    validationOriginalAccuracy: 0.4,
    trainSeconds: 10,
    imagesPerSecond: 7,
  };
}

Deno.test("barChart renders a standalone SVG with every label and value", () => {
  const figure = barChart([{ label: "Drama", value: 5273 }, { label: "Western", value: 97 }], {
    title: "Genres",
  });
  assert.match(figure.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const text of ["Drama", "Western", "5273", "97", "Genres"]) assert.ok(figure.svg.includes(text), text);
  assert.ok(figure.width >= 640 && figure.height > 50);
});

Deno.test("Figure.png is flattened on white (Plot's SVG background is transparent)", async () => {
  const figure = columnChart([{ x: 2000, value: 3 }, { x: 2001, value: 5 }]);
  const png = await figure.png(1);
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, "png");
  assert.equal(meta.width, figure.width);
  assert.equal(meta.hasAlpha, false);
  assert.deepEqual(await pixel(png, 1, 1), [255, 255, 255]);
});

Deno.test("a figure's notebook output is HTML + PNG, never image/svg+xml (nbconvert 6.5 drops it)", async () => {
  const bundle = await lineChart([{ name: "a", points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }]).mimeBundle();
  assert.deepEqual(Object.keys(bundle).sort(), ["image/png", "text/html", "text/plain"]);
  assert.match(bundle["text/html"], /<svg /);
  assert.equal(Buffer.from(bundle["image/png"], "base64").subarray(1, 4).toString(), "PNG");
  const display =
    (lineChart([{ name: "a", points: [{ x: 0, y: 1 }] }]) as unknown as Record<symbol, unknown>)[
      Symbol.for("Jupyter.display")
    ];
  assert.equal(typeof display, "function");
});

Deno.test("lineChart's logY puts equal ratios at equal distances (ticks 1, 10, 100 evenly spaced)", () => {
  const series = [{ name: "a", points: [1, 10, 100].map((y, x) => ({ x, y })) }];
  // The vertical position of each y-axis tick label, read off the SVG.
  const tickY = (svg: string, label: string) => {
    const match = svg.match(new RegExp(`translate\\(\\d+,([\\d.]+)\\)" y="0.32em">${label}</text>`));
    assert.ok(match, `no y tick labelled ${label}`);
    return Number(match[1]);
  };
  const log = lineChart(series, { logY: true }).svg;
  const [one, ten, hundred] = ["1", "10", "100"].map((label) => tickY(log, label));
  assert.ok(Math.abs((one - ten) - (ten - hundred)) < 1, `log ticks at ${one}, ${ten}, ${hundred}`);
  // Without it, the axis is linear: equal differences at equal distances.
  const linear = lineChart(series).svg;
  const [twenty, sixty, hundred2] = ["20", "60", "100"].map((label) => tickY(linear, label));
  assert.ok(
    Math.abs((twenty - sixty) - (sixty - hundred2)) < 1,
    `linear ticks at ${twenty}, ${sixty}, ${hundred2}`,
  );
});

Deno.test("renderPlot refuses options that turn the chart into HTML", () => {
  assert.throws(() => renderPlot({ title: "x", marks: [] }), /titled\(\) and swatches\(\)/);
});

Deno.test("stackFigures adds heights in a column and widths in a row", () => {
  const a = new Figure('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"></svg>', 100, 50);
  const b = new Figure('<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"></svg>', 80, 30);
  const column = stackFigures([a, b], "column", 10);
  assert.deepEqual([column.width, column.height], [100, 90]);
  const row = stackFigures([a, b], "row", 10);
  assert.deepEqual([row.width, row.height], [190, 50]);
  assert.throws(() => stackFigures([]), /at least one/);
});

Deno.test("heatmap writes each value in its cell", () => {
  const figure = heatmap({ rows: ["A", "B"], columns: ["A", "B"], values: [[10, 3], [3, 7]] });
  for (const value of ["10", "3", "7"]) assert.ok(figure.svg.includes(`>${value}<`), value);
});

Deno.test("prCurves labels each curve with its average precision", () => {
  const figure = prCurves([{
    label: "Drama",
    averagePrecision: 0.61,
    points: [{ recall: 0, precision: 1 }],
  }]);
  assert.ok(figure.svg.includes("Drama (AP 0.61)"));
});

Deno.test("plotTrainingHistory draws loss and validation panels, even for one epoch", async () => {
  const figure = plotTrainingHistory([record(1, 0.6), record(2, 0.5)]);
  for (const text of ["training loss", "validation loss", "validation mAP", "2 epochs"]) {
    assert.ok(figure.svg.includes(text), text);
  }
  const single = await plotTrainingHistory([record(1, 0.6)]).png(1);
  assert.equal((await sharp(single).metadata()).format, "png");
  assert.throws(() => plotTrainingHistory([]), /no epoch/);
  assert.ok(figure.svg.includes("last: loss 0.5000"), "without a kept epoch the subtitle quotes the last");
  const kept = plotTrainingHistory([record(1, 0.6), record(2, 0.5)], { keptEpoch: 1 });
  assert.ok(kept.svg.includes("kept: epoch 1: loss 0.6000"), "the kept epoch's figures, not the last's");
});

Deno.test("posterGrid composes tiles with frames and shows a missing poster as a grey tile", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "1.jpg");
    await Deno.writeFile(path, await makeJpeg({ color: [200, 20, 20] }));
    const picture = await posterGrid([
      { image: path, caption: ["Red", "Drama"], frame: "#00ff00" },
      { image: join(dir, "missing.jpg"), caption: "gone" },
      { image: { pixels: new Uint8Array(4 * 4 * 3).fill(255), width: 4, height: 4 } },
    ], { columns: 3, tileWidth: 50, title: "Grid" });
    const meta = await sharp(picture.png).metadata();
    assert.deepEqual([meta.width, meta.height], [picture.width, picture.height]);
    assert.equal(picture.width, 3 * (50 + 6) + 6);
    // Tile 1 starts at x=6 below the 26-pixel title; its frame is 3 pixels wide around it.
    const [r, g, b] = await pixel(picture.png, 6 + 25, 26 + 6 + 60);
    assert.ok(r > 150 && g < 80 && b < 80, `poster pixel ${[r, g, b]}`);
    assert.deepEqual(await pixel(picture.png, 4, 26 + 6 + 10), [0, 255, 0]);
    const [gr, gg, gb] = await pixel(picture.png, 6 + 56 + 2, 26 + 6 + 2);
    assert.ok(gr === gg && gg === gb && gr < 240, `missing tile is grey, got ${[gr, gg, gb]}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("table renders escaped HTML and aligned text", () => {
  const t = table([{ model: "<v1>", mAP: 0.4123, movies: 1234 }, { model: "v2", mAP: NaN, movies: 5 }]);
  const html = t.html();
  assert.ok(html.includes("&lt;v1&gt;") && !html.includes("<v1>"));
  assert.ok(html.includes("0.412") && html.includes("1,234"));
  assert.deepEqual(t.text().split("\n"), ["model  mAP    movies", "<v1>   0.412  1,234", "v2            5"]);
});

Deno.test("outside a notebook, show does nothing and TrainingMonitor writes its log lines to stderr", async () => {
  assert.equal(inNotebook(), false);
  await show(table([{ a: 1 }])); // must not throw: Deno.jupyter's getter throws outside the kernel
  const monitor = new TrainingMonitor("run");
  monitor.onBatch({ epoch: 1, batch: 1, batches: 2, loss: 0.7 });
  await monitor.finish();
});

Deno.test("in a notebook, show sends raw bundles and replaces an output by display id", async () => {
  const sent: { bundle: Record<string, string>; options: Record<string, unknown> }[] = [];
  const fake = {
    display: (bundle: Record<string, string>, options: Record<string, unknown>) => {
      sent.push({ bundle, options });
      return Promise.resolve();
    },
  };
  // Deno.jupyter can't be replaced (its getter throws outside the kernel), so the fake is passed in.
  await show(table([{ a: 1 }]), undefined, fake);
  await show(table([{ a: 2 }]), "chart", fake);
  await show(table([{ a: 3 }]), "chart", fake);
  assert.deepEqual(sent.map((s) => s.options), [
    { raw: true },
    { raw: true, display_id: "chart", update: false },
    { raw: true, display_id: "chart", update: true },
  ]);
  assert.match(sent[2].bundle["text/html"], /<td[^>]*>3<\/td>/);

  sent.length = 0;
  const monitor = new TrainingMonitor("run", { redrawSeconds: 0, jupyter: fake });
  monitor.log("epoch 1/1  loss 0.5");
  monitor.onBatch({ epoch: 1, batch: 1, batches: 1, loss: 0.5 });
  monitor.onEpoch(record(1, 0.5), [record(1, 0.5)]);
  await monitor.finish();
  const ids = new Set(sent.map((s) => s.options.display_id));
  assert.equal(ids.size, 3, "chart, epoch curves and log each keep one output");
  assert.ok(sent.some((s) => s.bundle["text/plain"] === "epoch 1/1  loss 0.5"));
});

Deno.test("scatterChart draws a dot per point and, asked, the diagonal where prediction equals truth", () => {
  const points = [{ x: 1990, y: 1995 }, { x: 2000, y: 1999 }, { x: 2010, y: 2004 }];
  const figure = scatterChart(points, { title: "Year", xLabel: "true", yLabel: "predicted", diagonal: true });
  assert.equal(figure.svg.match(/<circle/g)?.length, 3);
  assert.match(figure.svg, /stroke-dasharray="4,3"/);
  assert.ok(figure.svg.includes("Year") && figure.svg.includes("predicted"));
  assert.doesNotMatch(scatterChart(points).svg, /stroke-dasharray/);
});
