// `express4` is a dev alias of express@4 (`express4@npm:express@^4`); its API is typed like Express 5's.
declare module 'express4' {
  import express from 'express';
  export default express;
}
