import { GroupingInputError } from './errors.js';

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new GroupingInputError(`${name} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

/**
 * Symbols one connector may carry: the configured group size, capped by the exchange's stream
 * limit (each symbol costs one stream per channel). Throws when even one symbol does not fit.
 */
export function groupCapacity(input: {
  channelsPerSymbol: number;
  maxStreamsPerConnection: number;
  groupSize: number;
}): number {
  const channels = positiveInteger(input.channelsPerSymbol, 'channelsPerSymbol');
  const maxStreams = positiveInteger(input.maxStreamsPerConnection, 'maxStreamsPerConnection');
  const groupSize = positiveInteger(input.groupSize, 'groupSize');
  const byStreams = Math.floor(maxStreams / channels);
  if (byStreams < 1) {
    throw new GroupingInputError(
      `one symbol needs ${channels} streams but a connection carries at most ${maxStreams}`,
    );
  }
  return Math.min(groupSize, byStreams);
}
