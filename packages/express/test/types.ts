// Compiled by the root typecheck (`tsc -p tsconfig.json`), never run: how route typing reads in user code.
import type { Keyward } from '@keyward/core';
import express from 'express';
import { apiKey } from '../src/index.js';
declare const keyward: Keyward;
const app = express();
app.get('/workspaces/:ws/notes', apiKey(keyward, { workspaceId: (req) => req.params.ws }), (req, res) => {
  res.json(req.apiKey);
});
const router = express.Router();
router.get('/w/:ws', apiKey(keyward, { workspaceId: (req) => req.params.ws }));
app.get('/x/:id', apiKey<{ id: string }>(keyward, { workspaceId: (req) => req.params.id }));
// @ts-expect-error a number is not a workspace id
apiKey<{ id: string }>(keyward, { workspaceId: (req) => req.params.id.length });
