/** Scenario files of scripted simulation runs (docs/architecture.md#simulator): schema, loading, fault timeline. */
export { loadScenarioFile, parseScenario, scenarioSimVenues, scenarioToSimOptions, toSimFault } from './load.js';
export { BOOK_FAULT_KINDS, FAULT_KINDS, scenarioBookDepth, scenarioCollectsBooks, scenarioSchema, type Scenario, type ScenarioExpect, type ScenarioFault, type ScenarioInput, type ScenarioVenue } from './schema.js';
export { FaultTimeline, type FaultTarget, type FaultTimelineOptions } from './timeline.js';
