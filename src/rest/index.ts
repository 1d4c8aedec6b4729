export { createRestClient } from './http-client.js';
export type { RestClientOptions, RestLogger } from './http-client.js';
export { RestError } from './errors.js';
export type { RestErrorCode, RestErrorDetails } from './errors.js';
export { gotTransport } from './got-transport.js';
export type { HttpTransport, RawResponse } from './got-transport.js';
export { createHostThrottle } from './rate-limit.js';
export type { HostThrottle, HostThrottleOptions, BlockReason } from './rate-limit.js';
