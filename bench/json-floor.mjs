// The ceiling of the throughput ratio, for `npm run bench`: a bare express server that does only the JSON work every
// hook call must do (parse the request body, serialise the response) and nothing else, next to its own /healthz.
// Its (e)/(f) ratio bounds what any express service can reach for (a)/(d) with payloads of this size.
//
// Usage: node bench/json-floor.mjs <port> <response.json>
import { readFileSync } from 'node:fs';
import express from 'express';

const [port, responseFile] = process.argv.slice(2);
const response = JSON.parse(readFileSync(responseFile, 'utf8'));
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/json', express.json({ limit: '5mb' }), (_req, res) => {
  res.json(response);
});
app.listen(Number(port), '127.0.0.1', () => {
  process.send?.('listening');
});
process.on('SIGTERM', () => process.exit(0));
