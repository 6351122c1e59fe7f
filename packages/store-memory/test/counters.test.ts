import { describeCounterStore } from '@keyward/core/testing';
import { memoryStore } from '@keyward/store-memory';

const shared = memoryStore();
describeCounterStore({ name: 'memory', store: () => shared });
