import { describe, expect, it } from 'vitest';
import { queryTerms, scoreSearchText, searchTermsOf, searchTextOf, tokenize } from '../../src/domain/search.js';
import { contractDocument } from '../support/fixtures.js';

describe('search scoring', () => {
  const text = searchTextOf(
    'customer_orders',
    contractDocument({ name: 'x', purpose: 'Orders placed by customers', schemas: { orders: [{ name: 'customer_email', description: 'Where we write to the customer' }] } }),
  );

  it('tokenizes like MongoDB text indexes: words of letters, digits and underscores, lower-cased, accents folded', () => {
    expect(tokenize('Customer_Email, façade-2x!')).toEqual(['customer_email', 'facade', '2x']);
    expect(queryTerms('  Orders orders ORDERS ')).toEqual(['orders']);
  });

  it('indexes every word of every searchable field', () => {
    expect(searchTermsOf(text).sort()).toEqual(['by', 'customer', 'customer_email', 'customer_orders', 'customers', 'orders', 'placed', 'the', 'to', 'we', 'where', 'write'].sort());
  });

  it('weights the name above descriptions and says which fields matched', () => {
    const byName = scoreSearchText(text, ['customer_orders']);
    const byDescription = scoreSearchText(text, ['placed']);
    expect(byName?.matchedFields).toEqual(['name']);
    expect(byDescription?.matchedFields).toEqual(['description']);
    expect(byName!.score).toBeGreaterThan(byDescription!.score);
    expect(scoreSearchText(text, ['orders'])?.matchedFields).toEqual(['description', 'schemaNames']);
    expect(scoreSearchText(text, ['nothing'])).toBeNull();
    expect(scoreSearchText(text, [])).toBeNull();
  });
});
