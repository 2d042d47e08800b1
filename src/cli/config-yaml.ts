/** The effective configuration as YAML; with a schema, each setting's description as a comment above it. */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { z } from 'zod';
import { descriptionOf, fieldSchema } from '../config/schema-walk.js';

export function printYaml(value: unknown, schema: z.core.$ZodType | null): string {
  const doc = new Document(value);
  if (schema !== null) explain(doc.contents, schema);
  return doc.toString();
}

function explain(node: unknown, schema: z.core.$ZodType): void {
  if (isMap(node)) {
    const value: unknown = node.toJSON();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const field = fieldSchema(schema, value, String(pair.key.value));
      if (field === undefined) continue;
      const text = descriptionOf(field);
      if (text !== undefined) pair.key.commentBefore = ` ${text}`;
      explain(pair.value, field);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const field = fieldSchema(schema, node.toJSON(), i);
      if (field !== undefined) explain(item, field);
    });
  }
}
