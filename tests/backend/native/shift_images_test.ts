import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { SHIFT_IMAGES_KERNEL } from "../../../lib/backend/native/shift_images.ts";
import { shiftImages } from "../../../lib/backend/shift_images.ts";
import { initBackend } from "../../../lib/backend/select.ts";
import { onCpuAnd, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

/** Shifts of every kind: none, each direction, by the whole side and past it. */
const CASES: { shape: [number, number, number, number]; rows: number[]; columns: number[] }[] = [
  { shape: [4, 6, 5, 3], rows: [0, 1, -2, 3], columns: [0, -1, 2, -4] },
  { shape: [3, 4, 4, 2], rows: [4, -5, 0], columns: [0, 1, 9] },
  { shape: [2, 96, 64, 3], rows: [12, -7], columns: [-8, 5] },
];

for (const [i, { shape, rows, columns }] of CASES.entries()) {
  nativeTest(
    `shiftImages on native (pixel runs) equals the shift matrices on cpu, with its gradient: ${shape}`,
    async () => {
      const { cpu, wasm: native } = await onCpuAnd("native", () => {
        const x = randomTensor(shape, 30 + i) as tf.Tensor4D;
        const weights = randomTensor(shape, 40 + i);
        const y = shiftImages(x, rows, columns);
        const dx = tf.grad((input: tf.Tensor) =>
          shiftImages(input as tf.Tensor4D, rows, columns).mul(weights).sum()
        )(x);
        return [y, dx];
      });
      // Both are exact copies of values (or zeros): equal to the bit.
      assert.deepEqual(native, cpu);
    },
  );
}

nativeTest("shiftImages runs one kernel on native and the matrix products elsewhere", async () => {
  const kernels = async (backend: "native" | "cpu") => {
    await initBackend(backend, { log: () => {} });
    const info = await tf.profile(() =>
      tf.dispose(shiftImages(tf.ones([2, 4, 4, 3]) as tf.Tensor4D, [1, -1], [0, 2]))
    );
    return info.kernelNames;
  };
  assert.deepEqual(await kernels("native"), [SHIFT_IMAGES_KERNEL]);
  const cpu = await kernels("cpu");
  assert.ok(cpu.includes("BatchMatMul") && !cpu.includes(SHIFT_IMAGES_KERNEL), cpu.join());
});

Deno.test("shiftImages moves a pixel by the asked rows and columns, and refuses a wrong shift count", async () => {
  await tf.setBackend("cpu");
  const x = tf.buffer([1, 3, 3, 1]);
  x.set(5, 0, 1, 1, 0);
  const y = shiftImages(x.toTensor() as tf.Tensor4D, [1], [-1]).arraySync() as number[][][][];
  assert.equal(y[0][2][0][0], 5);
  assert.equal(y[0].flat(2).filter((v) => v !== 0).length, 1);
  assert.throws(
    () => shiftImages(tf.zeros([2, 3, 3, 1]) as tf.Tensor4D, [1], [0, 0]),
    /1 row and 2 column shifts for 2 images/,
  );
});
