import { memoryStore } from '@keyward/store-memory';
import { describeInvalidationBus } from '../testing/describe-invalidation-bus.js';
import { localInvalidation } from './local-bus.js';

describeInvalidationBus({
  name: 'local bus',
  createPair: () => {
    const bus = localInvalidation();
    return { publisher: bus, subscriber: bus };
  },
  createStores: async () => {
    const store = memoryStore();
    return { a: store, b: store };
  },
});
