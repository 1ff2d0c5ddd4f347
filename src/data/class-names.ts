import type { DatasetName } from "./dataset.js";

/** The classes' names in label order, where a dataset has short ones (CIFAR-100's 100 are left out). */
export const CLASS_NAMES: Readonly<Partial<Record<DatasetName, readonly string[]>>> = {
  "fashion-mnist": [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ],
  mnist: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  cifar10: [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
  ],
};
