/**
 * The words of an issue that the `text` filter of IssueRepository.list / summary matches, shared by the backends:
 * the distinct words (domain/search tokenize) of the title and the description. A filter matches when every word
 * of the query is one of them; a query without words filters nothing.
 */
import type { Issue } from '../domain/issues.js';
import { queryTerms, tokenize } from '../domain/search.js';

export function issueTermsOf(issue: Pick<Issue, 'title' | 'description'>): string[] {
  return [...new Set([...tokenize(issue.title), ...tokenize(issue.description ?? '')])];
}

/** The words of a text filter (empty: no text filter). */
export function issueQueryTerms(text: string | null | undefined): string[] {
  return text == null ? [] : queryTerms(text);
}
