import { openServices, type Services } from '../app/services.js';
import { loadConfig, type ConfigInput } from '../config/config.js';

/** Opens the data folder for one management command and always closes it. */
export async function withServices<T>(opts: ConfigInput, env: NodeJS.ProcessEnv, fn: (s: Services) => Promise<T>): Promise<T> {
  const config = loadConfig(opts, env);
  const services = await openServices({ ...config, logLevel: 'warn' });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
