import { memoryStore } from '@keyward/store-memory';
import { describeInvalidationBus } from '../testing/describe-invalidation-bus.js';
import { localInvalidationBus } from './local-bus.js';

describeInvalidationBus({
  name: 'local bus',
  createPair: () => {
    const bus = localInvalidationBus();
    return { publisher: bus, subscriber: bus };
  },
  createStores: async () => {
    const store = memoryStore();
    return { a: store, b: store };
  },
});
