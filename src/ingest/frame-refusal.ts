/** A frame that gave no records for a reason worth keeping (quarantined): what the data path is told. */
import type { FrameFailureReason } from '../exchanges/types.js';

export interface FrameRefusal {
  reason: FrameFailureReason;
  /** the parser's words, or the unknown kind's name */
  message: string;
  frame: string | Buffer;
  receivedAt: number;
  /** the connection it came on (see Link.connection) */
  connection: string;
}
