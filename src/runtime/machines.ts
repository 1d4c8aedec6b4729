/** The four machines with production I/O provided: real sockets, real REST, the venues' data paths. */
import { fromCallback, fromPromise } from 'xstate';
import { collectorMachine, type Listing, type ListSymbolsInput } from '../../machines/collector.js';
import { connectorMachine } from '../../machines/connector.js';
import { managerMachine } from '../../machines/manager.js';
import type { ExchangeId, Market } from '../records.js';
import { createConnectionLogic } from '../transport/ws-connection.js';
import type { VenueRuntime } from './venue-io.js';

export function provideMachines(venue: (exchange: ExchangeId, market: Market) => VenueRuntime) {
  const connector = connectorMachine.provide({ actors: { connection: createConnectionLogic({ venue }) } });
  const collector = collectorMachine.provide({
    actors: {
      connector,
      listSymbols: fromPromise<Listing, ListSymbolsInput>(({ input }) => venue(input.exchange, input.market).list()),
      // the venue's gap filler, reported to the collector at most once a second
      gapFiller: fromCallback<{ type: 'noop' }, ListSymbolsInput>(({ input, sendBack }) => {
        const { filler } = venue(input.exchange, input.market);
        let timer: NodeJS.Timeout | undefined;
        const send = () => {
          timer = undefined;
          sendBack({ type: 'GAPS.REPORT', gaps: { ...filler.counters } });
        };
        const off = filler.onChange(() => {
          timer ??= setTimeout(send, 1_000);
        });
        return () => {
          off();
          if (timer) clearTimeout(timer);
        };
      }),
    },
  });
  return managerMachine.provide({ actors: { collector } });
}
