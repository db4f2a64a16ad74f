/**
 * `npm start`: reads config, builds the storage backend once, serves the API. Without MONGODB_URI it runs an
 * embedded MongoDB (mongodb-memory-server) whose data survives restarts in GRIOT_DATA_DIR; if that cannot start it
 * falls back to the in-memory backend with a warning — except in production, where it refuses to start.
 */
import { createServer as createHttpServer } from 'node:http';
import { ConfigError, type Config, loadConfig, loadDotEnv } from './config.js';
import { startEmbeddedMongo } from './embedded-mongo.js';
import { createLogger } from './observability/logger.js';
import { createServer } from './server.js';
import { createStorage } from './storage/index.js';
import type { StorageBackend } from './storage/types.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }

  const logger = createLogger(config.log);
  const cleanups: (() => Promise<unknown>)[] = [];
  let storageConfig = config;
  if (config.storage === 'mongodb' && !config.mongodb.uri) {
    try {
      const embedded = await startEmbeddedMongo(config.mongodb.dataDir);
      cleanups.push(embedded.stop);
      storageConfig = { ...config, mongodb: { ...config.mongodb, uri: embedded.uri } };
      console.log(`griot-registry: embedded MongoDB at ${embedded.uri} (data in ${config.mongodb.dataDir})`);
    } catch (error) {
      const reason = (error as Error).message.replace(/\s+/g, ' ').trim();
      if (config.env === 'production') {
        console.error(`griot-registry: no MONGODB_URI and the embedded MongoDB could not start (${reason}); refusing to start in production.`);
        process.exit(1);
      }
      console.warn(`griot-registry: the embedded MongoDB could not start (${reason}).`);
      console.warn('griot-registry: WARNING — falling back to the IN-MEMORY backend: NOTHING PERSISTS across restarts. Set MONGODB_URI for real storage.');
      storageConfig = { ...config, storage: 'memory' };
    }
  }

  let storage: StorageBackend;
  try {
    storage = await createStorage(storageConfig);
  } catch (error) {
    console.error(`griot-registry: storage could not start: ${(error as Error).message}`);
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    process.exit(1);
  }
  const caps = storage.capabilities;
  console.log(
    `griot-registry: storage ${caps.backend}${caps.serverVersion ? ` ${caps.serverVersion}` : ''}; search uses ${caps.textSearch ? 'the text index' : 'the portable word index'}`,
  );

  const yoga = createServer({
    storage,
    policy: config.policy,
    graphiql: config.graphiql,
    auth: config.auth,
    logger,
    limits: config.limits,
    exposure: config.exposure,
    observability: { requestIdMaxLength: config.log.requestIdMaxLength },
  });
  if (!config.auth.apiKeys.length && !config.auth.jwt) {
    console.warn('griot-registry: no GRIOT_API_KEYS and no GRIOT_JWT_SECRET/GRIOT_JWKS_URL: nobody can write' + (config.auth.anonymousRead ? '' : ' or read'));
  }
  const http = createHttpServer(yoga);
  http.listen(config.port, config.host, () => {
    console.log(`griot-registry: serving http://${config.host}:${config.port}/graphql`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`griot-registry: ${signal}, shutting down`);
    http.close();
    await storage.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
