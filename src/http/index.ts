export { startHttpServer, PROMETHEUS_CONTENT_TYPE, type HttpServer, type HttpServerOptions, type StatusPayload } from './server.js';
export { serveTickvisor, type ObservableTickvisor, type ServeTickvisorOptions, type TickvisorHttp } from './serve-tickvisor.js';
export { StateSinceTracker, healthReport, type HealthNode, type HealthReport } from './health.js';
export { buildStatusSummary, type CoinFigures, type StatusSummary } from './summary.js';
export { STATUS_PAGE_HTML, STATE_COLOURS } from './status-page.js';
export { HttpServerError, type HttpErrorCode } from './errors.js';
