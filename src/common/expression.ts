/**
 * Turns a path into a JSON (zod issue, file entry) into the FHIRPath-like expression that error messages and
 * OperationOutcome.issue.expression use: `context.draftOrders.entry[0]`, `issuers[2].jwks`.
 */
export function toExpression(path: readonly PropertyKey[]): string {
  return path.reduce<string>((expression, segment) => {
    if (typeof segment === 'number') {
      return `${expression}[${segment}]`;
    }
    return expression ? `${expression}.${String(segment)}` : String(segment);
  }, '');
}
