/**
 * A 28x28 grayscale drawing canvas (shown scaled up): white strokes on black, as Fashion-MNIST's
 * images are. Mouse, pen and touch through pointer events; `onChange` after each stroke segment.
 */
export class DrawingPad {
  readonly #context: CanvasRenderingContext2D;
  #last: { x: number; y: number } | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    this.#context = canvas.getContext("2d", {
      willReadFrequently: true,
    }) as CanvasRenderingContext2D;
    this.clear();
    canvas.addEventListener("pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      this.#last = this.#point(event);
      this.#stroke(this.#last);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (this.#last !== null) this.#stroke(this.#point(event));
    });
    const finish = () => {
      this.#last = null;
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
  }

  clear(): void {
    this.#context.fillStyle = "#000";
    this.#context.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Shows an image (an <img> of the pad's size) on the pad, pixel for pixel. */
  show(image: CanvasImageSource): void {
    this.#context.imageSmoothingEnabled = false;
    this.#context.drawImage(image, 0, 0, this.canvas.width, this.canvas.height);
  }

  /** The pad's pixels, one byte each (the red channel of its gray). */
  pixels(): Uint8Array {
    const { data } = this.#context.getImageData(0, 0, this.canvas.width, this.canvas.height);
    const pixels = new Uint8Array(data.length / 4);
    for (let i = 0; i < pixels.length; i++) pixels[i] = data[4 * i] as number;
    return pixels;
  }

  #point(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * this.canvas.width,
      y: ((event.clientY - box.top) / box.height) * this.canvas.height,
    };
  }

  #stroke(to: { x: number; y: number }): void {
    const from = this.#last ?? to;
    const context = this.#context;
    context.strokeStyle = "#fff";
    context.lineWidth = 2.6;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x + 0.01, to.y);
    context.stroke();
    this.#last = to;
    this.onChange();
  }
}
