import { createKeyward, prefixedFormat } from '@keyward/core';
import { createDashboard, ROUTES } from '@keyward/dashboard';
import { memoryStore } from '@keyward/store-memory';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiCheck } from '../support/openapi-check.js';

const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'acme' }), legacy: { sunset: '2026-06-30T00:00:00Z' } });
const configurations = {
  defaults: createDashboard(keyward, { authorize: () => null }),
  'a catalogue, environments, grace periods and a session scheme': createDashboard(keyward, {
    authorize: () => null,
    basePath: '/settings/api-keys',
    scopes: ['notes:read', { name: 'notes:write', description: 'Create and change notes' }],
    environments: ['live', 'test'],
    gracePeriods: ['0s', '15m', '30d'],
    maxNameLength: 60,
    problemTypeBase: 'https://docs.example.com/problems/',
    openapi: { title: 'Acme keys', version: '2.1.0', securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'acme_session' } } },
  }),
};

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

for (const [label, dashboard] of Object.entries(configurations)) {
  describe(`OpenAPI document (${label})`, () => {
    const doc = dashboard.openapi as Json;

    it('is a valid OpenAPI 3.1 document', async () => {
      const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)));
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(doc.servers).toEqual([{ url: `${dashboard.basePath}/api` }]);
    });

    it('has every route the router knows, and no other', () => {
      const documented = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((k) => METHODS.includes(k))
          .map((method) => `${method.toUpperCase()} ${path} ${item[method].operationId}`),
      );
      expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
      // Each path parameter of a template is declared, and only those.
      for (const [path, item] of Object.entries(doc.paths as Json)) {
        const declared = ((item.parameters ?? []) as Json[])
          .map((p) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p))
          .filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name).sort(), path).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
      }
    });

    it('holds every request and response example to its schema', () => {
      const check = openApiCheck(dashboard.openapi);
      let examples = 0;
      const visit = (content: Json | undefined, where: string) => {
        for (const [type, media] of Object.entries(content ?? {})) {
          for (const [name, example] of Object.entries((media as Json).examples ?? {})) {
            examples++;
            expect(check.validate((media as Json).schema, (example as Json).value), `${where} ${type} ${name}`).toEqual([]);
          }
        }
      };
      for (const [path, item] of Object.entries(doc.paths as Json)) {
        for (const method of METHODS.filter((m) => item[m])) {
          const op = item[method];
          visit(op.requestBody?.content, `${method} ${path} request`);
          for (const [status, response] of Object.entries(op.responses as Json)) visit((response as Json).content, `${method} ${path} ${status}`);
        }
      }
      for (const [name, response] of Object.entries(doc.components.responses as Json)) visit((response as Json).content, `response ${name}`);
      expect(examples).toBeGreaterThan(25);
    });

    it('refuses with its schemas what the handler refuses', () => {
      const check = openApiCheck(dashboard.openapi);
      const create = { $ref: '#/components/schemas/CreateKeyRequest' };
      const max = doc.components.schemas.CreateKeyRequest.properties.name.maxLength;
      expect(check.validate(create, { name: 'ok' })).toEqual([]);
      for (const bad of [
        {},
        { name: '' },
        { name: 'x'.repeat(max + 1) },
        { name: 'k', scopes: ['nope'] },
        { name: 'k', color: 'red' },
        { name: 'k', expiresAt: 'soon' },
      ]) {
        expect(check.validate(create, bad), JSON.stringify(bad)).not.toEqual([]);
      }
      expect(check.validate({ $ref: '#/components/schemas/RotateKeyRequest' }, { gracePeriod: '2h' })).not.toEqual([]);
      expect(check.validate({ $ref: '#/components/schemas/UpdateKeyRequest' }, {})).not.toEqual([]);
    });
  });
}
