/**
 * A typed client of the registry, as a front end would write one: the operations in operations/*.graphql, turned
 * into typed documents by `npm run codegen` (client preset, from the committed schema.graphql), sent with fetch.
 * It lists contracts, creates one, previews an update that removes a property, and prints the breaking changes.
 *
 *   GRIOT_URL=http://127.0.0.1:4000/graphql GRIOT_API_KEY=<an editor or admin key> npx tsx examples/client/main.ts
 */
import { CreateContractDocument, ListContractsDocument, PreviewUpdateDocument, type TypedDocumentString } from './gql/graphql.js';

const url = process.env.GRIOT_URL ?? 'http://127.0.0.1:4000/graphql';
const apiKey = process.env.GRIOT_API_KEY;

/** Sends one typed operation; the result and the variables are typed by the document. */
async function request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  return body.data as R;
}

function ordersDocument(name: string, properties: string[]) {
  return {
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: `urn:example:${name}`,
    name,
    version: '1.0.0',
    status: 'draft',
    schema: [{ name: 'orders', physicalType: 'table', properties: properties.map((p) => ({ name: p, logicalType: 'string', required: true })) }],
  };
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? `example-orders-${Date.now()}`;

  const before = await request(ListContractsDocument, { first: 10 });
  console.log(`contracts: ${before.contracts.totalCount}`);
  for (const c of before.contracts.nodes) console.log(`  ${c.name} ${c.currentVersion} (${c.status})`);

  const created = await request(CreateContractDocument, { document: ordersDocument(name, ['order_id', 'customer_email']) });
  const result = created.createContract;
  // `__typename` and `code` are closed sets in the generated types: a switch over them is checked by the compiler.
  switch (result.__typename) {
    case 'CreateContractSuccess':
      console.log(`created: ${result.contract.name} ${result.contract.currentVersion} (${result.contract.id})`);
      break;
    case 'ValidationError':
      throw new Error(`invalid contract: ${result.issues.map((i) => `${i.pathSegments.join('/')}: ${i.message}`).join('; ')}`);
    default:
      throw new Error(`not created (${result.code}): ${result.message}`);
  }

  const preview = await request(PreviewUpdateDocument, { id: result.contract.id, document: { ...ordersDocument(name, ['order_id']), version: '1.1.0' } });
  const p = preview.previewContractUpdate;
  console.log(`preview against ${p.currentVersion}: needs a ${p.requiredBump} bump (at least ${p.minimumVersion})`);
  const breaking = p.changes.filter((c) => c.level === 'BREAKING');
  console.log(`breaking changes: ${breaking.length}${p.needsAcceptBreakingChanges ? ' (updateContract would need acceptBreakingChanges)' : ''}`);
  for (const c of breaking) console.log(`  [${c.ruleId}] ${c.readablePath}: ${c.explanation}\n    fix: ${c.suggestion}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
