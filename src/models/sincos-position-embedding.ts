/**
 * Fixed 2-D sine-cosine position codes ("Better plain ViT baselines", Beyer et al. 2022):
 * for the token at (row, column), with omega_i = 10000^(-i / (dim / 4)), i < dim / 4,
 * the features are [sin(column omega), cos(column omega), sin(row omega), cos(row omega)].
 * Returns [rows x columns, dim] row-major, tokens in row-major grid order. Math.sin is not
 * specified bit for bit, so another JavaScript engine may differ in a last float32 bit.
 */
export function sincosPositionEmbedding(rows: number, columns: number, dim: number): Float32Array {
  if (dim % 4 !== 0) throw new RangeError(`dim ${dim} must be a multiple of 4`);
  const quarter = dim / 4;
  const out = new Float32Array(rows * columns * dim);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const offset = (row * columns + column) * dim;
      for (let i = 0; i < quarter; i++) {
        const omega = 10000 ** (-i / quarter);
        out[offset + i] = Math.sin(column * omega);
        out[offset + quarter + i] = Math.cos(column * omega);
        out[offset + 2 * quarter + i] = Math.sin(row * omega);
        out[offset + 3 * quarter + i] = Math.cos(row * omega);
      }
    }
  }
  return out;
}
