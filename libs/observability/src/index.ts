/** Public API of libs/observability: what other libs, the apps and the tests use. */
export { LoggingModule } from './logging.module';
export { MetricsService } from './metrics';
export { ObservabilityModule } from './observability.module';
export {
  type AuditEntry,
  type AuditOutcome,
  auditRow,
  hashArgs,
  auditInsert,
  writeAudit,
  writeAudits,
} from './audit';
export { AUDIT_ACTION_GROUPS, type AuditAction } from './audit-actions';
export { AuditLogService } from './audit-log.service';
export {
  type AuditDto,
  type AuditQuery,
  auditEntrySchema,
  auditPageSchema,
  auditQuerySchema,
} from './audit.schema';
export { startTracing, type TracingHandle } from './tracing-sdk';
