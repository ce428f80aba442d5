export {
  AppConfig,
  type DatabaseTarget,
  type DbPoolSettings,
  type Env,
  loadConfig,
  LOG_LEVELS,
  type LogLevel,
  MCP_MODES,
  type McpMode,
  type SlaMinutes,
  type TracingConfig,
  type TrustProxy,
} from './app-config';
export { ConfigError } from './config.error';
export { ConfigModule } from './config.module';
