/**
 * Generates typed documents (client preset) from the operations the tests use, against the committed
 * schema.graphql — so the schema and its clients cannot drift: `npm test` regenerates and type-checks them.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'test/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
  emitLegacyCommonJSImports: false,
  silent: true,
};

export default config;
