/** Training produced a non-finite loss or state; nothing of the failing epoch is kept. */
export class TrainingDivergedError extends Error {
  override readonly name = "TrainingDivergedError";
}
