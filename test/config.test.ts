import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('config', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      env: 'development',
      port: 4000,
      host: '127.0.0.1',
      storage: 'mongodb',
      mongodb: { uri: null, database: 'griot', dataDir: '.griot/mongodb' },
      graphiql: true,
      policy: { defaultCompatibility: 'BACKWARD', invalidDocuments: 'reject' },
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      GRIOT_STORAGE: 'memory',
      MONGODB_URI: 'mongodb+srv://cluster.example/',
      MONGODB_DATABASE: 'registry',
      GRIOT_DATA_DIR: '/var/lib/griot',
      GRIOT_GRAPHIQL: 'true',
      GRIOT_COMPATIBILITY: 'FULL_TRANSITIVE',
      GRIOT_INVALID_DOCUMENTS: 'warn',
    });
    expect(c).toEqual({
      env: 'production',
      port: 8080,
      host: '0.0.0.0',
      storage: 'memory',
      mongodb: { uri: 'mongodb+srv://cluster.example/', database: 'registry', dataDir: '/var/lib/griot' },
      graphiql: true,
      policy: { defaultCompatibility: 'FULL_TRANSITIVE', invalidDocuments: 'warn' },
    });
    expect(loadConfig({ NODE_ENV: 'production' }).graphiql).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT="abc" — expected a number'],
    [{ PORT: '70000' }, 'PORT="70000" — expected a number <=65535'],
    [{ GRIOT_STORAGE: 'postgres' }, 'GRIOT_STORAGE="postgres" — expected one of mongodb, memory'],
    [{ MONGODB_URI: 'localhost:27017' }, 'MONGODB_URI="localhost:27017" — expected a MongoDB connection string'],
    [{ MONGODB_DATABASE: 'a.b' }, 'MONGODB_DATABASE="a.b" — expected a MongoDB database name'],
    [{ GRIOT_COMPATIBILITY: 'LOOSE' }, 'GRIOT_COMPATIBILITY="LOOSE" — expected one of BACKWARD'],
    [{ GRIOT_INVALID_DOCUMENTS: 'ignore' }, 'GRIOT_INVALID_DOCUMENTS="ignore" — expected one of reject, warn'],
    [{ GRIOT_GRAPHIQL: 'maybe' }, 'GRIOT_GRAPHIQL="maybe" — expected one of'],
  ])('refuses %j in one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
