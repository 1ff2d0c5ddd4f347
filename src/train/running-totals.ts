/** Image-weighted means of batch losses and accuracy, as the reference accumulates them. */
export class RunningTotals {
  #lossSum = 0;
  #correct = 0;
  #count = 0;

  /** `meanLoss` is the batch's mean loss over its `size` images. */
  add(meanLoss: number, correct: number, size: number): void {
    this.#lossSum += meanLoss * size;
    this.#correct += correct;
    this.#count += size;
  }

  get count(): number {
    return this.#count;
  }

  get loss(): number {
    return this.#count === 0 ? Number.NaN : this.#lossSum / this.#count;
  }

  get accuracy(): number {
    return this.#count === 0 ? Number.NaN : this.#correct / this.#count;
  }
}
