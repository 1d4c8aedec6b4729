/** The three commands every burst consumer answers: `seen` (warm-up progress), `arm`, `burstResult`. */
import { measureBurst, type BurstOptions, type BurstResult } from './burst-meter.js';

/** `onArm` runs before the meter starts: a consumer that can surface older trades late draws its line there */
export function burstHandlers(trades: () => number, onArm: () => void = () => undefined) {
  let running: Promise<BurstResult> | undefined;
  return {
    seen: () => trades(),
    /** starts the meter; the driver starts the simulator's burst once this answers */
    arm: (options: BurstOptions) => {
      onArm();
      global.gc?.();
      running = measureBurst(trades, options).done;
      return true;
    },
    burstResult: () => {
      if (!running) throw new Error('burstResult before arm');
      return running;
    },
  };
}
