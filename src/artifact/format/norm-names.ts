/*
 * BatchNorm's running statistics by the names a `.pemn` stores them under (PyTorch's
 * running_mean and running_var, in this codebase's camel case): the format's check, the ONNX
 * export and `inspect` find them by these. nn/batch-norm.ts registers its buffers under the
 * same names (it cannot import the format: test/nn/batch-norm.test.ts ties them).
 */
export const RUNNING_MEAN = "runningMean";
export const RUNNING_VAR = "runningVar";

/** The state name of a BatchNorm module's running statistic: "stem.norm.runningVar". */
export function runningStatisticName(
  module: string,
  statistic: typeof RUNNING_MEAN | typeof RUNNING_VAR,
): string {
  return module === "" ? statistic : `${module}.${statistic}`;
}

function lastPart(stateName: string): string {
  return stateName.slice(stateName.lastIndexOf(".") + 1);
}

export function isRunningStatistic(stateName: string): boolean {
  const part = lastPart(stateName);
  return part === RUNNING_MEAN || part === RUNNING_VAR;
}

export function isRunningVariance(stateName: string): boolean {
  return lastPart(stateName) === RUNNING_VAR;
}
