/**
 * `createTickvisor` takes one `inspect` observer; `run --inspect --inspect-file F` wants two.
 * One observer's failure never reaches the others or the actor system.
 */
import type { InspectionEvent } from 'xstate';

type Observer = (event: InspectionEvent) => void;

export function fanOutInspection(...observers: (Observer | undefined)[]): Observer | undefined {
  const list = observers.filter((o): o is Observer => o !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return (event) => {
    for (const observer of list) {
      try {
        observer(event);
      } catch {
        // see above
      }
    }
  };
}
