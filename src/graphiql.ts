/**
 * GraphiQL as the server serves it: the page and all its assets (scripts, styles, editor workers) come from the
 * installed @graphql-yoga/render-graphiql, matched to the graphql-yoga version, so it works with no network. It
 * opens with the project's example operations in its first tab.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/** The operations GraphiQL opens with, so a first visit can run something real. */
export const EXAMPLE_OPERATIONS = `# Welcome to griot-registry. Pick an operation with the ▶ button.

query Contracts {
  contracts(first: 10, orderBy: { field: UPDATED_AT, direction: DESC }) {
    totalCount
    nodes { id name currentVersion status owner revision }
    pageInfo { hasNextPage endCursor }
  }
}

query FindPiiEmailFields {
  schemaCatalog(filter: { propertyWord: "email", hasPii: true }) {
    nodes { schemaName contractName contractVersion properties { path logicalType pii } }
  }
}

query MyPendingApprovals {
  myPendingApprovals(first: 10) {
    nodes { id versionString requestedBy requestedAt awaiting contract { name status } }
  }
}

query Search {
  searchContracts(query: "customer email", first: 5) {
    edges { node { score matchedFields contract { name currentVersion } } }
  }
}

# Live: runs over Server-Sent Events (graphql-sse on /graphql/stream); keep it open, then write something in another tab.
subscription RegistryEvents {
  registryEvents {
    cursor position type subjectId contractId actor at version summary
  }
}

mutation CreateContract {
  createContract(input: {
    document: {
      apiVersion: "v3.1.0", kind: "DataContract", id: "urn:example:orders", name: "orders",
      version: "1.0.0", status: "draft", team: { name: "sales-data" }, domain: "sales", tags: ["web-shop"],
      description: { purpose: "Orders placed in the web shop" },
      schema: [{ name: "orders", physicalType: "table", properties: [
        { name: "order_id", logicalType: "string", primaryKey: true },
        { name: "customer_email", logicalType: "string", classification: "restricted" }
      ] }]
    }
  }) {
    __typename
    ... on CreateContractSuccess { contract { id name currentVersion revision } }
    ... on ValidationError { issues { path message } }
    ... on Error { message }
  }
}
`;

/**
 * GraphiQL's options: the title, one tab with the example operations, and subscriptions over the GraphQL over SSE
 * protocol (graphql-sse), which GraphiQL sends to `/graphql/stream` (src/live/transport.ts).
 */
export function graphiqlOptions(): GraphiQLOptions {
  return { title: 'griot-registry', defaultQuery: EXAMPLE_OPERATIONS, defaultTabs: [{ query: EXAMPLE_OPERATIONS }], subscriptionsProtocol: 'GRAPHQL_SSE' };
}

let rendered: { key: string; html: string } | null = null;

/**
 * The GraphiQL page, with every asset inline (about 9 MB): rendered once per set of options, not per request.
 */
export function renderOfflineGraphiQL(options: GraphiQLOptions): string {
  const key = JSON.stringify(options);
  if (rendered?.key !== key) rendered = { key, html: renderGraphiQL(options) };
  return rendered.html;
}
