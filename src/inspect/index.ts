export { createInspectionRecorder, DROPPED_MARKER_TYPE } from './recorder.js';
export type { InspectionRecorder, InspectionRecorderOptions } from './recorder.js';
export { connectStatelyInspector, DEFAULT_STATELY_URL } from './stately.js';
export type { StatelyConnectionStatus, StatelyInspector, StatelyInspectorOptions, StatelyInspectorStats } from './stately.js';
export { toSafeJson, safeStringify, DEFAULT_SAFE_JSON_LIMITS } from './safe-json.js';
export type { SafeJson, SafeJsonLimits } from './safe-json.js';
export { inspectionRecord, snapshotView } from './inspection-line.js';
export { fanOutInspection } from './fan-out.js';
