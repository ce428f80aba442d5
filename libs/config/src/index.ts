/** Public API of libs/config: what other libs, the apps and the tests use. */
export {
  AppConfig,
  type DatabaseTarget,
  type DbPoolSettings,
  type Env,
  loadConfig,
  type SlaMinutes,
} from './app-config';
export { ConfigError } from './config.error';
export { ConfigModule } from './config.module';
export { type AdmissionSettings } from './app-config';
