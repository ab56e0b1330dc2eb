import assert from "node:assert/strict";
import { formatDuration, Progress, renderProgress } from "../../lib/util/progress.ts";

Deno.test("renderProgress shows count, rate and ETA", () => {
  const line = renderProgress("resize", 25, 100, 5, "posters");
  assert.match(line, /^resize \[=+> +\] 25\/100 posters 5\.0\/s ETA 15s$/);
  assert.match(renderProgress("resize", 100, 100, 50), /in 50s$/);
});

Deno.test("formatDuration", () => {
  assert.equal(formatDuration(42), "42s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
});

Deno.test("Progress throttles log lines and always draws the last one", () => {
  let clock = 0;
  const lines: string[] = [];
  const bar = new Progress("train", 10, { sink: (l) => lines.push(l), now: () => clock, logEverySeconds: 1 });
  for (let i = 0; i < 10; i++) {
    clock += 300;
    bar.tick(1, `loss ${i}`);
  }
  bar.finish();
  // ticks at 300..3000 ms with one line per second at most, plus the completed tick and finish
  assert.ok(lines.length >= 3 && lines.length <= 6, `got ${lines.length} lines`);
  assert.match(lines.at(-1)!, /10\/10 .*loss 9$/);
  clock += 500; // the rate moves, but the completed bar must not be logged twice
  bar.finish();
  assert.equal(lines.filter((l) => l.includes("10/10")).length, 1, "finish() repeated the completed bar");
});
