/**
 * torch.save files read without Python (read-torch-save.ts): their tensors as the safetensors
 * reader gives them, so `pemn import` takes either.
 */
export { readTorchSave } from "./read-torch-save.js";
export { TorchSaveError, type TorchSaveProblem } from "./torch-save-error.js";
