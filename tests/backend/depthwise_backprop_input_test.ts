import { assertSameOnWasm } from "./compare.ts";
import { DEPTHWISE_CASES, depthwiseCaseName, depthwiseInputGradient } from "./depthwise_cases.ts";

for (const i of DEPTHWISE_CASES.keys()) {
  Deno.test(`DepthwiseConv2dNativeBackpropInput on wasm matches cpu: ${depthwiseCaseName(i)}`, async () => {
    await assertSameOnWasm(() => depthwiseInputGradient(i), 1e-5, `case ${i}`);
  });
}
