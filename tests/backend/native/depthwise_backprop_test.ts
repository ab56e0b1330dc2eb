import { assertSameOnNative } from "../compare.ts";
import { DEPTHWISE_CASES, depthwiseCaseName, depthwiseInputGradient } from "../depthwise_cases.ts";
import { nativeTest } from "./native_libs.ts";

for (const i of DEPTHWISE_CASES.keys()) {
  nativeTest(`native DepthwiseConv2dNativeBackpropInput matches cpu: ${depthwiseCaseName(i)}`, async () => {
    await assertSameOnNative(() => depthwiseInputGradient(i), 1e-5, `case ${i}`);
  });
}
