import { CLASS_NAMES } from "../../src/data/class-names.js";
import type { DecoderClient } from "./decoder-client.js";
import { byId, element, percent } from "./dom.js";
import { DrawingPad } from "./drawing-pad.js";
import type { Classification, ClassifierState } from "./protocol.js";

/** A Fashion-MNIST test image shipped with the page (web/scripts/make-example.ts). */
interface Sample {
  readonly file: string;
  /** Its index in the test set. */
  readonly index: number;
  readonly label: number;
}

/** The shipped test images are Fashion-MNIST's. */
const SAMPLE_CLASSES = CLASS_NAMES["fashion-mnist"] as readonly string[];

/**
 * "Classify an image": the drawing pad, the shipped test images, and the loaded model's
 * prediction of what the pad shows. `#prediction` carries the result for tests: `data-source`
 * (`sample:<index>`, `drawing` or `blank`), `data-class`, `data-probabilities`.
 */
export class ClassifyView {
  readonly #pad = new DrawingPad(byId<HTMLCanvasElement>("pad"), () => {
    this.#showing(null);
    void this.classify();
  });
  #classifier: ClassifierState = { ready: false, reason: "no model is loaded" };
  /** The test image the pad shows, or null for a drawing. */
  #sample: Sample | null = null;
  #busy = false;
  #again = false;

  constructor(private readonly client: DecoderClient) {
    byId("clear").addEventListener("click", () => {
      this.#pad.clear();
      this.#showing(null);
      void this.classify();
    });
  }

  /** Shows whether the loaded model can classify here, and classifies the pad if it can. */
  setClassifier(classifier: ClassifierState): void {
    this.#classifier = classifier;
    const unavailable = byId("classify-unavailable");
    unavailable.hidden = classifier.ready;
    byId("classify").hidden = !classifier.ready;
    if (!classifier.ready) {
      unavailable.textContent = `This model cannot classify here: ${classifier.reason}.`;
      return;
    }
    showInput(classifier);
    void this.classify();
  }

  /** Lists the shipped test images (samples.json); choosing one puts it on the pad. */
  async loadSamples(): Promise<void> {
    const samples = (await (await fetch("./samples.json")).json()) as Sample[];
    byId("samples").replaceChildren(
      ...samples.map((sample) => {
        const name = SAMPLE_CLASSES[sample.label] as string;
        const image = element("img", { src: `./${sample.file}`, alt: name });
        const button = element(
          "button",
          {
            type: "button",
            "data-index": String(sample.index),
            title: `${name} (test image ${sample.index})`,
          },
          image,
        );
        button.addEventListener("click", async () => {
          await image.decode();
          this.#pad.show(image);
          this.#showing(sample);
          await this.classify();
        });
        return button;
      }),
    );
  }

  /** Classifies what the pad shows; one request at a time, the latest drawing last. */
  async classify(): Promise<void> {
    if (!this.#classifier.ready) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    try {
      const sample = this.#sample;
      const pixels = this.#pad.pixels();
      if (pixels.every((pixel) => pixel === 0)) this.#showBlank();
      else this.#showPrediction(await this.client.ask({ kind: "classify", pixels }), sample);
    } finally {
      this.#busy = false;
    }
    if (this.#again) {
      this.#again = false;
      await this.classify();
    }
  }

  #showing(sample: Sample | null): void {
    this.#sample = sample;
    for (const button of byId("samples").querySelectorAll("button")) {
      button.classList.toggle("selected", button.dataset.index === String(sample?.index));
    }
  }

  #showBlank(): void {
    const prediction = byId("prediction");
    prediction.dataset.source = "blank";
    delete prediction.dataset.class;
    delete prediction.dataset.probabilities;
    prediction.textContent = "Draw a piece of clothing, or pick a test image.";
    byId("probabilities").replaceChildren();
    byId("truth").textContent = "";
  }

  /** Shows a classification of what the pad showed when it was asked: `sample`, or a drawing. */
  #showPrediction(result: Classification, sample: Sample | null): void {
    if (!this.#classifier.ready) return;
    const { classNames } = this.#classifier;
    const { probabilities } = result;
    const best = probabilities.indexOf(Math.max(...probabilities));
    const prediction = byId("prediction");
    prediction.dataset.class = String(best);
    prediction.dataset.probabilities = JSON.stringify(probabilities);
    prediction.dataset.source = sample === null ? "drawing" : `sample:${sample.index}`;
    prediction.replaceChildren(
      "Prediction: ",
      element("strong", {}, classNames[best] as string),
      ` (${percent(probabilities[best] as number)})`,
    );
    // A mark only where the model's classes are the test images' own.
    const mark =
      this.#classifier.dataset !== "fashion-mnist" ? "" : sample?.label === best ? " ✓" : " ✗";
    byId("truth").textContent =
      sample === null
        ? "Your drawing, 28×28 pixels."
        : `Fashion-MNIST test image ${sample.index}, labelled ${SAMPLE_CLASSES[sample.label]}${mark}`;
    byId("probabilities").replaceChildren(
      ...probabilities.map((probability, index) =>
        element(
          "li",
          { class: index === best ? "best" : "" },
          element("span", { class: "class-name" }, classNames[index] as string),
          element(
            "span",
            { class: "bar" },
            element("span", { class: "fill", style: `width:${(100 * probability).toFixed(2)}%` }),
          ),
          element("span", { class: "probability" }, percent(probability)),
        ),
      ),
    );
  }
}

/**
 * How the pixels reach the model, from its ONNX metadata: `#classify-input` carries
 * `data-dataset`, `data-mean`, `data-std` and `data-recorded` for tests.
 */
function showInput(classifier: Extract<ClassifierState, { ready: true }>): void {
  const note = byId("classify-input");
  const { dataset, mean, std, recorded } = classifier;
  Object.assign(note.dataset, {
    dataset,
    mean: JSON.stringify(mean),
    std: JSON.stringify(std),
    recorded: String(recorded),
  });
  const formula = `(pixel / 255 − ${mean.join(", ")}) / ${std.join(", ")}`;
  note.textContent = recorded
    ? `Fed as the model's ONNX metadata says: ${formula}, ${dataset}'s normalisation.`
    : `This file does not say how its inputs were normalised (no dataset record, or one pemn has no constants for): the page assumes ${dataset}'s, ${formula}.`;
}
