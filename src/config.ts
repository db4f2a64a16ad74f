/**
 * Configuration, read once from the environment (and an optional `.env` file in the working directory) and
 * validated. A bad value stops start-up with one line naming the variable and what it expects.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { COMPATIBILITY_MODES } from './domain/compatibility.js';
import type { RegistryPolicy } from './domain/evolution.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  GRIOT_STORAGE: z.enum(['mongodb', 'memory']).default('mongodb'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a MongoDB connection string (mongodb://… or mongodb+srv://…)')
    .optional(),
  MONGODB_DATABASE: z
    .string()
    .regex(/^[^/\\. "$*<>:|?]{1,63}$/, 'a MongoDB database name (1-63 characters, none of / \\ . " $ * < > : | ?)')
    .default('griot'),
  GRIOT_DATA_DIR: z.string().min(1).default('.griot/mongodb'),
  GRIOT_GRAPHIQL: bool.optional(),
  GRIOT_COMPATIBILITY: z.enum(COMPATIBILITY_MODES).default('BACKWARD'),
  GRIOT_INVALID_DOCUMENTS: z.enum(['reject', 'warn']).default('reject'),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  storage: 'mongodb' | 'memory';
  mongodb: { uri: string | null; database: string; dataDir: string };
  graphiql: boolean;
  policy: RegistryPolicy;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Loads `.env` (when present) into process.env without overriding variables that are already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const got = input[variable];
    throw new ConfigError(
      `Invalid configuration: ${variable}=${JSON.stringify(got)} — expected ${expectation(issue)}`,
    );
  }
  const c = parsed.data;
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    storage: c.GRIOT_STORAGE,
    mongodb: { uri: c.MONGODB_URI ?? null, database: c.MONGODB_DATABASE, dataDir: c.GRIOT_DATA_DIR },
    graphiql: c.GRIOT_GRAPHIQL ?? c.NODE_ENV !== 'production',
    policy: { defaultCompatibility: c.GRIOT_COMPATIBILITY, invalidDocuments: c.GRIOT_INVALID_DOCUMENTS },
  };
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) return `one of ${issue.values.join(', ')}`;
  if (issue.code === 'invalid_format' || issue.code === 'custom') return issue.message;
  if (issue.code === 'too_small' || issue.code === 'too_big') return issue.message.replace(/^Too (small|big): expected number to be /, 'a number ');
  if (issue.code === 'invalid_type') return `a ${issue.expected}`;
  return issue.message;
}
