import { DateTimeResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';
import { builder } from './builder.js';

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
// Counts that can pass 2^31 (rows checked): whole numbers up to 2^53 − 1, which a JSON number holds exactly.
builder.addScalarType('SafeInt', SafeIntResolver);
