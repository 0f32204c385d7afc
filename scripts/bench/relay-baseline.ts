/**
 * Row 4's floor: what an open stream costs in a bare node:http relay, with no framework, session,
 * database or SDK: each POST opens a streaming request to the model (node:http, keep-alive agent) and
 * relays its chunks to the client as SSE deltas. Runs as its own process (PORT, OPENAI_BASE_URL), with
 * the app's memory probe (gc-probe.ts), and answers /api/health/ready so startApp() can start it like
 * the app.
 */
import http from 'node:http';
import './gc-probe.js';

const base = process.env.OPENAI_BASE_URL!;
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const body = JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(200).end('ok');
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  const upstream = http.request(
    `${base}/chat/completions`,
    { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
    (up) => {
      up.setEncoding('utf8');
      up.on('data', (text: string) => res.write(`event: delta\ndata: ${JSON.stringify({ content: text.length })}\n\n`));
      up.on('end', () => res.end());
    },
  );
  upstream.on('error', () => res.destroy());
  upstream.end(body);
  res.on('close', () => upstream.destroy());
});
server.listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
