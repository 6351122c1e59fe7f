// Holds answers and examples to the OpenAPI document: JSON Schema 2020-12 (Ajv, strict about
// keywords) on the document's own component schemas.
import type { OpenApiDocument } from '@keyward/dashboard';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

type Json = Record<string, any>;

export interface OpenApiCheck {
  /** The operation of a request, by method and concrete path (relative to `<base>/api`). */
  operation(method: string, path: string): { template: string; operation: Json } | null;
  /** Errors of a response against the document (status documented, content type, body schema). */
  response(method: string, path: string, status: number, contentType: string | null, body: string): string[];
  /** Errors of a value against a component schema or an inline schema. */
  validate(schema: Json, value: unknown): string[];
}

export function openApiCheck(doc: OpenApiDocument): OpenApiCheck {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  const base = 'https://keyward.test/openapi';
  const components = (doc as Json).components as Json;
  const rewrite = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', `"${base}#/$defs/`));
  ajv.addSchema({ $id: base, $defs: rewrite(components.schemas) });
  const cache = new Map<string, ValidateFunction>();
  const validate = (schema: Json, value: unknown): string[] => {
    const text = JSON.stringify(schema);
    let fn = cache.get(text);
    if (!fn) {
      fn = ajv.compile(rewrite(schema));
      cache.set(text, fn);
    }
    return fn(value) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  };
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    re: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replaceAll('.', '\\.')}$`),
  }));
  const resolve = (value: Json): Json =>
    value.$ref
      ? resolve(
          value.$ref
            .split('/')
            .slice(1)
            .reduce((o: Json, k: string) => o[k], doc as Json),
        )
      : value;
  const operation = (method: string, path: string) => {
    for (const { template, re } of templates) {
      if (!re.test(path)) continue;
      const op = (doc.paths as Json)[template][method.toLowerCase()];
      if (op) return { template, operation: op as Json };
    }
    return null;
  };
  return {
    operation,
    validate,
    response(method, path, status, contentType, body) {
      const found = operation(method, path);
      if (!found) return status === 404 || status === 405 ? [] : [`${method} ${path}: no operation in the document`];
      const spec = found.operation.responses[String(status)] ?? found.operation.responses.default;
      if (!spec) return [`${method} ${found.template}: status ${status} is not documented`];
      const response = resolve(spec);
      if (!response.content) return body === '' ? [] : [`${method} ${found.template} ${status}: documented without a body, got one`];
      const type = (contentType ?? '').split(';')[0]!.trim();
      const media = response.content[type];
      if (!media) return [`${method} ${found.template} ${status}: content type ${type} not documented`];
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return [`${method} ${found.template} ${status}: body is not JSON`];
      }
      return validate(media.schema, value).map((e) => `${method} ${found.template} ${status}: ${e}`);
    },
  };
}
