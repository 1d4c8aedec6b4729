/** The four machines of the supervision tree (docs/architecture.md#supervision-tree), what they share, and the typed selectors the rest of the program reads their snapshots with. */
export { coinMachine, COIN_STATE_CODES, type CoinInput, type CoinContext, type CoinEvent, type CoinState } from './coin.js';
export {
  connectorMachine,
  CONNECTOR_STATE_CODES,
  DEFAULT_CONNECTOR_POLICY,
  type ConnectorInput,
  type ConnectorContext,
  type ConnectorEvent,
  type ConnectorPolicy,
  type ConnectorReport,
  type ConnectorState,
  type ConnectionCommand,
  type ConnectionInput,
  type ConnectionReport,
} from './connector.js';
export { atRefusalLimit, phaseOf, type CoinPhase, type CoinSubscription } from './coin-subscription.js';
export {
  collectorMachine,
  COLLECTOR_STATE_CODES,
  selectSymbols,
  type CollectorInput,
  type CollectorContext,
  type CollectorEvent,
  type CollectorReport,
  type CollectorState,
  type ConnectorRecord,
  type Listing,
  type ListSymbolsInput,
} from './collector.js';
export {
  managerMachine,
  type ManagerInput,
  type ManagerContext,
  type ManagerEvent,
  type ManagerEmitted,
  type RecoveryFailedAlert,
} from './manager.js';
export {
  backoffDelay,
  DEFAULT_COLLECTOR_RESTART,
  DEFAULT_CONNECTOR_RESTART,
  validateRestartPolicy,
  type BackoffPolicy,
  type ChildRecord,
  type RestartPolicy,
} from './supervision.js';
export { managerId, collectorId, connectorId, connectionId, coinId } from './ids.js';
export {
  actorKind,
  readActor,
  readCoin,
  readFailure,
  type ActorKind,
  type ActorReading,
  type ActorCounters,
  type ActorCounterName,
  type CoinReading,
} from './selectors.js';
