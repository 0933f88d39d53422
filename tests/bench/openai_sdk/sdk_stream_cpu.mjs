// CPU cost of reading an R1 stream with the official openai SDK, the way a
// Node voice assistant would: client.chat.completions.create({stream: true})
// and `for await` over its chunks, dropping the reasoning. The stream comes
// from serve_transcript.mjs in another process, so this process's CPU time
// (process.cpuUsage(): user + system, every thread) is the client side only:
// HTTP, SSE decoding, JSON.parse and the reasoning removal.
//
// usage: node sdk_stream_cpu.mjs --base-url URL --shape deepseek|inline
//          --transcript-bytes N [--answer-tokens N] [--min-cpu-seconds S]
//          [--max-passes N]
// One pass warms the JIT and is not counted; then passes run until
// --min-cpu-seconds of CPU, and at least 3 (at most --max-passes); the figures
// are the median pass's. Prints one `name value` line per figure and judges
// nothing.
import { readFileSync } from 'node:fs';

import OpenAI from 'openai';

const kMinPasses = 3;
const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/openai/package.json', import.meta.url), 'utf8')).version;

function parseArguments(argv) {
  const options = { minCpuSeconds: 1, maxPasses: 50, answerTokens: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--base-url') options.baseURL = value;
    else if (flag === '--shape') options.shape = value;
    else if (flag === '--transcript-bytes') options.transcriptBytes = Number(value);
    else if (flag === '--answer-tokens') options.answerTokens = Number(value);
    else if (flag === '--min-cpu-seconds') options.minCpuSeconds = Number(value);
    else if (flag === '--max-passes') options.maxPasses = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!options.baseURL || !['deepseek', 'inline'].includes(options.shape) ||
      !(options.transcriptBytes > 0)) {
    throw new Error('--base-url, --shape deepseek|inline and --transcript-bytes are required');
  }
  return options;
}

// Removes <think>...</think> from the answer channel as it streams. A tag may
// be cut anywhere between two deltas, so a possible start of a tag at the end
// of the text is held back until the next delta tells.
class ThinkBlockRemover {
  constructor() {
    this.insideThink = false;
    this.heldBack = '';
  }

  push(delta) {
    let text = this.heldBack + delta;
    this.heldBack = '';
    let answer = '';
    for (;;) {
      const tag = this.insideThink ? '</think>' : '<think>';
      const at = text.indexOf(tag);
      if (at >= 0) {
        if (!this.insideThink) answer += text.slice(0, at);
        text = text.slice(at + tag.length);
        this.insideThink = !this.insideThink;
        continue;
      }
      let partial = Math.min(tag.length - 1, text.length);
      while (partial > 0 && !tag.startsWith(text.slice(text.length - partial))) --partial;
      if (!this.insideThink) answer += text.slice(0, text.length - partial);
      this.heldBack = text.slice(text.length - partial);
      return answer;
    }
  }

  finish() {
    const rest = this.insideThink ? '' : this.heldBack;
    this.heldBack = '';
    return rest;
  }
}

// One whole request and response; returns what a speaking sink would get.
async function readOnce(client, shape) {
  const stream = await client.chat.completions.create({
    model: shape === 'deepseek' ? 'deepseek-reasoner' : 'deepseek-ai/DeepSeek-R1',
    messages: [{ role: 'user', content: 'How long should I boil an egg?' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const remover = shape === 'inline' ? new ThinkBlockRemover() : null;
  const result = { answerPieces: 0, answerChars: 0, finishReason: null, usage: null };
  const speak = (text) => {
    if (text.length === 0) return;
    result.answerPieces += 1;
    result.answerChars += text.length;
  };
  for await (const chunk of stream) {
    if (chunk.usage) result.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.finish_reason) result.finishReason = choice.finish_reason;
    // delta.reasoning_content is never spoken: it is simply not read.
    const content = choice.delta?.content;
    if (typeof content !== 'string') continue;
    speak(remover ? remover.push(content) : content);
  }
  if (remover) speak(remover.finish());
  return result;
}

function cpuSecondsSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const client = new OpenAI({ baseURL: options.baseURL, apiKey: 'local-bench', maxRetries: 0, timeout: 120000 });

  const warmupStart = process.cpuUsage();
  const warmup = await readOnce(client, options.shape);
  const warmupSeconds = cpuSecondsSince(warmupStart);
  if (warmup.answerChars === 0 || warmup.finishReason !== 'stop') {
    throw new Error(`the SDK did not read the whole transcript (finish_reason ${warmup.finishReason}, ` +
                    `${warmup.answerChars} answer characters)`);
  }

  const passSeconds = [];
  let seconds = 0;
  const start = process.cpuUsage();
  do {
    const passStart = process.cpuUsage();
    await readOnce(client, options.shape);
    passSeconds.push(cpuSecondsSince(passStart));
    seconds = cpuSecondsSince(start);
  } while ((seconds < options.minCpuSeconds || passSeconds.length < kMinPasses) &&
           passSeconds.length < options.maxPasses);

  passSeconds.sort((a, b) => a - b);
  const medianPass = passSeconds[Math.floor(passSeconds.length / 2)];
  const megabytes = options.transcriptBytes / 1e6;
  const lines = [
    ['sdk_version', sdkVersion],
    ['node_version', process.versions.node],
    ['answer_pieces', warmup.answerPieces],
    ['answer_chars', warmup.answerChars],
    ['passes', passSeconds.length],
    ['cpu_seconds', seconds.toFixed(3)],
    ['mb_per_s', (megabytes / medianPass).toFixed(1)],
    ['cpu_ms_per_mb', ((medianPass * 1e3) / megabytes).toFixed(3)],
    ['best_mb_per_s', (megabytes / passSeconds[0]).toFixed(1)],
    ['warmup_cpu_ms_per_mb', ((warmupSeconds * 1e3) / megabytes).toFixed(3)],
  ];
  if (options.answerTokens > 0) lines.push(['ns_per_answer_token', ((medianPass * 1e9) / options.answerTokens).toFixed(0)]);
  for (const [name, value] of lines) console.log(`${name} ${value}`);
}

main().catch((error) => {
  console.error(`sdk_stream_cpu: ${error.message}`);
  process.exit(1);
});
