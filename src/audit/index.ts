export { auditOptionsFor, type AuditOptions } from './audit-options.js';
export { AuditSchedule, type AuditTask } from './audit-schedule.js';
export { runAudit, type AuditIo, type AuditResult, type AuditTiming } from './run-audit.js';
export { VenueAuditor, type AuditCounters, type AuditRow, type VenueAuditorDeps } from './venue-auditor.js';
export { createAuditBudget, type AuditBudget, type AuditBudgetOptions } from './audit-budget.js';
