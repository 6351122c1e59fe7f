import { memoryStore } from '@keyward/store-memory';
import { describeDashboardApi } from './support/api-suite.js';

describeDashboardApi({ name: 'the memory store', createStore: () => memoryStore() });
