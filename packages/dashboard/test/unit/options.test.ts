// Options of createDashboard that cannot work are refused when the handler is made, naming the option.
import { createKeyward } from '@keyward/core';
import { createDashboard, type DashboardOptions } from '@keyward/dashboard';
import { memoryStore } from '@keyward/store-memory';
import { expect, it } from 'vitest';

const keyward = createKeyward({ store: memoryStore() });
const make = (options: Partial<DashboardOptions>) => () => createDashboard(keyward, { authorize: () => null, ...options });

it('refuses default scopes that are not in the catalogue, or listed twice', () => {
  expect(make({ scopes: ['notes:read'], defaultScopes: ['notes:write'] })).toThrow(/defaultScopes: "notes:write" is not in the scopes catalogue/);
  expect(make({ scopes: ['notes:read'], defaultScopes: ['notes:read', 'notes:read'] })).toThrow(/defaultScopes: each scope must be listed once/);
  expect(make({ scopes: ['*'], defaultScopes: ['*'] })).not.toThrow();
});
