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
  schemaCatalog(filter: { propertyName: "email", hasPii: true }) {
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

mutation CreateContract {
  createContract(input: {
    document: {
      apiVersion: "v3.1.0", kind: "DataContract", id: "urn:example:orders", name: "orders",
      version: "1.0.0", status: "draft", description: { purpose: "Orders placed in the web shop" },
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
