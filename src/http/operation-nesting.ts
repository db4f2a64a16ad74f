/**
 * How deep a GraphQL document nests `{`, `[` and `(`, measured on graphql-js's Lexer (which does not recurse)
 * before the parser (which recurses a few calls per level) runs on it. A document within the token limit can nest
 * thousands deep; parsing it would run into a stack overflow, which depends on the stack left and, in V8, can
 * abort the process instead of throwing when it strikes inside some builtins. Pure: no I/O.
 */
import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';

const OPENING: ReadonlySet<string> = new Set([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING: ReadonlySet<string> = new Set([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * Whether `source` nests `{`, `[` and `(` (together, of any kind) more than `maxNesting` deep within its first
 * `maxTokens` tokens; it stops at the first token past `maxNesting`. False when the document ends first, when it
 * has more than `maxTokens` tokens before nesting that deep (the parser refuses it by its token count, lexing no
 * more tokens than this), or at a character the lexer refuses (the parser reports that syntax error).
 *
 * The parser only recurses inside brackets and leaves a level only at its closing bracket (a closing bracket of
 * another kind is a syntax error there), so its recursion is bounded by this count at every token.
 */
export function nestsDeeperThan(source: string | Source, maxNesting: number, maxTokens: number): boolean {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let depth = 0;
  // Tokens as the token limit counts them: those the lexer advances to, comments and the end not included.
  for (let tokens = 0; tokens < maxTokens; tokens++) {
    let kind: string;
    try {
      kind = lexer.advance().kind;
    } catch (error) {
      if (error instanceof GraphQLError) return false;
      throw error;
    }
    if (kind === TokenKind.EOF) return false;
    if (OPENING.has(kind)) {
      if (++depth > maxNesting) return true;
    } else if (CLOSING.has(kind) && depth > 0) depth--;
  }
  return false;
}
