// Lets Node load this service's TypeScript sources as they are: each .ts file is compiled by swc (a development
// dependency) when it is required. Used only when the service runs from its sources — the worker threads and
// processes that tests start (src/common/worker-thread.ts; `node -r ./src/common/source-hook.cjs src/server.ts`), as jest does
// for its own thread. The built service (dist/) never loads it.
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  });
  module._compile(code, filename);
};
