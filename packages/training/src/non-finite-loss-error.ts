/** The loss of a training step was NaN or ±Infinity; the weights were not updated. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    readonly ce: number,
    readonly dice: number,
    readonly iteration?: number,
  ) {
    super(
      `${iteration === undefined ? '' : `iteration ${iteration}: `}non-finite loss ${loss} (ce ${ce}, dice ${dice}); ` +
        'training stopped before the update (lower the learning rate, check the data for NaN)',
    );
    this.name = 'NonFiniteLossError';
  }
}
