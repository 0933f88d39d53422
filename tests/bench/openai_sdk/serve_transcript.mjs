// A local stand-in for an R1 server: answers every POST /NAME/... with the
// transcript file registered as NAME, as text/event-stream in 16 KiB writes
// (chunked transfer encoding, like a real streaming server). Runs in its own
// process so that a client's CPU time holds none of the serving.
//
// usage: node serve_transcript.mjs LIFETIME_SECONDS NAME=FILE...
// Listens on a free port of 127.0.0.1 only and prints "port N" once it does.
// Exits by itself after LIFETIME_SECONDS, whatever is still being served.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const kWriteBytes = 16 * 1024;

const [lifetimeArgument, ...transcriptArguments] = process.argv.slice(2);
const lifetimeSeconds = Number(lifetimeArgument);
if (!(lifetimeSeconds > 0) || transcriptArguments.length === 0) {
  console.error('usage: node serve_transcript.mjs LIFETIME_SECONDS NAME=FILE...');
  process.exit(2);
}

const transcripts = new Map();
for (const argument of transcriptArguments) {
  const equals = argument.indexOf('=');
  if (equals <= 0) {
    console.error(`serve_transcript: expected NAME=FILE, got '${argument}'`);
    process.exit(2);
  }
  transcripts.set(argument.slice(0, equals), readFileSync(argument.slice(equals + 1)));
}

async function sendTranscript(body, response) {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
  });
  for (let offset = 0; offset < body.length; offset += kWriteBytes) {
    if (response.destroyed) return;
    // Waiting for 'drain' keeps at most one socket buffer in flight.
    if (!response.write(body.subarray(offset, offset + kWriteBytes))) {
      await new Promise((resolve) => {
        const resume = () => {
          response.off('drain', resume);
          response.off('close', resume);
          resolve();
        };
        response.on('drain', resume);
        response.on('close', resume);
      });
    }
  }
  response.end();
}

const server = createServer((request, response) => {
  const name = request.url.split('/')[1];
  const body = transcripts.get(name);
  request.resume();  // the request body (the chat messages) is not needed
  if (request.method !== 'POST' || body === undefined) {
    response.writeHead(404, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ error: { message: `no transcript at ${request.method} ${request.url}` } }));
    return;
  }
  request.on('end', () => {
    sendTranscript(body, response).catch((error) => response.destroy(error));
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`port ${server.address().port}`);
});
// Bounded: a runner that dies without killing us cannot leave us behind for long.
setTimeout(() => process.exit(0), lifetimeSeconds * 1000).unref();
