#!/usr/bin/env python3
"""Writes a synthetic, deterministic R1 stream (an SSE response body) for the
stream reader benchmarks.

Two shapes:
  deepseek  DeepSeek's own API: reasoning in delta.reasoning_content, then the
            answer in delta.content; the last chunk carries finish_reason and
            usage; then data: [DONE].
  inline    Together-style: one content channel holding
            <think>...reasoning...</think> and then the answer.

Like a real R1 answer, about 90% of the tokens are reasoning. Every delta is one
token of 3 to 8 characters (words, punctuation, some multibyte UTF-8, and text
that needs the JSON escapes \\n and \\"), and `: keep-alive` comments are
scattered through the stream. The same seed and size give the same bytes.

usage: generate_r1_transcript.py SIZE_MB [--shape deepseek|inline]
                                 [--seed N] [--output FILE] [--stats FILE]
SIZE_MB is in 10^6 bytes; the stream stops at the first token past it and
then closes properly. --stats writes what the stream holds, one `name value`
per line (bytes; events: data events with a JSON chunk; reasoning_tokens;
answer_tokens; answer_bytes; keep_alives), so that a benchmark can report
costs per token.
"""

import argparse
import json
import random
import sys

# Tokens as a tokenizer would cut English prose: a leading space, 3 to 8
# characters in all. Punctuation and paragraph breaks are separate tokens, as
# they are in R1's output.
REASONING_WORDS = (
    "Okay so the user is asking about how many minutes it takes to boil an egg "
    "Wait let me think again first need check whether they mean soft hard "
    "boiled Hmm maybe should consider altitude because water boils lower "
    "temperature higher places Alternatively could just give simple answer "
    "But then again that might miss something important Let recall what "
    "know eggs start cold water bring gentle then simmer which usually takes "
    "around seven nine depending size Actually large typically need about "
    "twelve So answer should mention both cases clearly also maybe tip "
    "about cooling them quickly after cooking makes peeling easier right "
    "That seems reasonable though verify numbers once more before writing"
).split()
ANSWER_WORDS = (
    "For soft yolk boil large eggs about six seven minutes medium nine hard "
    "twelve Start them cold water bring gentle then lower heat simmer When "
    "done move into bowl with cold water stop cooking makes peeling easier "
    "Higher altitude add minute two because water boils lower temperature "
    "Enjoy your breakfast"
).split()
# Multibyte UTF-8: accented words, symbols, CJK (R1 drifts into Chinese), emoji.
MULTIBYTE_TOKENS = (" café", " naïve", " 100°C", " — ", "→ so", " 思考中", " 鸡蛋", " ≈ 9",
                    " 🙂 ", " über")
PUNCTUATION_TOKENS = (", so", ". But", "? Hmm", ": the", ", and", ". So")
# Tokens whose JSON needs \" or \n.
ESCAPED_TOKENS = (' "soft', ' "hard', '" or', '" is', ".\n\n", "\n\nSo", ":\n- ", ".\n\nOk")

DEEPSEEK_MODEL = "deepseek-reasoner"
INLINE_MODEL = "deepseek-ai/DeepSeek-R1"
REASONING_SHARE = 0.90
KEEP_ALIVE = ": keep-alive\n\n"
KEEP_ALIVE_EVERY = 400  # on average, one comment per this many events
PROMPT_TOKENS = 17


def make_token(rng, words):
    """One token of 3 to 8 characters (code points)."""
    roll = rng.random()
    if roll < 0.08:
        choices = PUNCTUATION_TOKENS
    elif roll < 0.11:
        choices = MULTIBYTE_TOKENS
    elif roll < 0.15:
        choices = ESCAPED_TOKENS
    else:
        choices = words
    token = choices[int(rng.random() * len(choices))]
    if choices is words:
        token = (" " + token)[:8]
    return token


class TranscriptWriter:
    """Counts what it writes, and writes it in large pieces."""

    def __init__(self, out):
        self.out = out
        self.pending = []
        self.pending_bytes = 0
        self.stats = {"bytes": 0, "events": 0, "reasoning_tokens": 0, "answer_tokens": 0,
                      "answer_bytes": 0, "keep_alives": 0}

    def raw(self, text):
        data = text.encode("utf-8")
        self.pending.append(data)
        self.pending_bytes += len(data)
        self.stats["bytes"] += len(data)
        if self.pending_bytes >= 1 << 20:
            self.flush()

    def event(self, payload):
        """One data event carrying a JSON chunk."""
        self.stats["events"] += 1
        self.raw("data: " + payload + "\n\n")

    def keep_alive(self):
        self.stats["keep_alives"] += 1
        self.raw(KEEP_ALIVE)

    def keep_alive_sometimes(self, rng):
        if rng.random() * KEEP_ALIVE_EVERY < 1:
            self.keep_alive()

    def done(self):
        self.raw("data: [DONE]\n\n")

    def flush(self):
        self.out.write(b"".join(self.pending))
        self.pending = []
        self.pending_bytes = 0


def escape(text):
    # json.dumps keeps non-ASCII as UTF-8 (ensure_ascii=False), as DeepSeek does.
    return json.dumps(text, ensure_ascii=False)


def write_deepseek(writer, rng, size_bytes):
    chunk_id = "%08x-%04x-%04x-%04x-%012x" % tuple(
        int(rng.random() * (1 << bits)) for bits in (32, 16, 16, 16, 48))
    head = ('{"id":"%s","object":"chat.completion.chunk","created":1738301234,'
            '"model":"%s","system_fingerprint":"fp_7e73fd9a08_prod0225",'
            '"choices":[{"index":0,"delta":' % (chunk_id, DEEPSEEK_MODEL))
    tail_open = ',"logprobs":null,"finish_reason":null}]}'

    # Under load DeepSeek holds the connection with comments before the first token.
    for _ in range(3):
        writer.keep_alive()
    writer.event(head + '{"role":"assistant","content":null,"reasoning_content":""}' + tail_open)

    reasoning_until = size_bytes * REASONING_SHARE
    while writer.stats["bytes"] < reasoning_until:
        token = make_token(rng, REASONING_WORDS)
        writer.stats["reasoning_tokens"] += 1
        writer.event(head + '{"content":null,"reasoning_content":' + escape(token) + "}" + tail_open)
        writer.keep_alive_sometimes(rng)
    while writer.stats["bytes"] < size_bytes or writer.stats["answer_tokens"] == 0:
        token = make_token(rng, ANSWER_WORDS)
        writer.stats["answer_tokens"] += 1
        writer.stats["answer_bytes"] += len(token.encode("utf-8"))
        writer.event(head + '{"content":' + escape(token) + ',"reasoning_content":null}' + tail_open)
        writer.keep_alive_sometimes(rng)

    completion = writer.stats["reasoning_tokens"] + writer.stats["answer_tokens"]
    usage = ('{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,'
             '"prompt_tokens_details":{"cached_tokens":0},'
             '"completion_tokens_details":{"reasoning_tokens":%d},'
             '"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":%d}'
             % (PROMPT_TOKENS, completion, PROMPT_TOKENS + completion,
                writer.stats["reasoning_tokens"], PROMPT_TOKENS))
    writer.event(head + '{"content":"","reasoning_content":null},"logprobs":null,'
                 '"finish_reason":"stop"}],"usage":' + usage + "}")
    writer.done()


def write_inline(writer, rng, size_bytes):
    chunk_id = "%016x" % int(rng.random() * (1 << 53))

    def chunk(content, finish_reason="null", usage="null"):
        token_id = int(rng.random() * 128000)
        return ('{"id":"%s","object":"chat.completion.chunk","created":1738301234,'
                '"model":"%s","choices":[{"index":0,"text":%s,"logprobs":null,'
                '"finish_reason":%s,"seed":null,"delta":{"token_id":%d,"role":"assistant",'
                '"content":%s,"tool_calls":null}}],"usage":%s}'
                % (chunk_id, INLINE_MODEL, content, finish_reason, token_id, content, usage))

    writer.keep_alive()
    # <think> and </think> are single tokens in R1's vocabulary.
    writer.event(chunk(escape("<think>")))
    writer.stats["reasoning_tokens"] += 1
    reasoning_until = size_bytes * REASONING_SHARE
    while writer.stats["bytes"] < reasoning_until:
        writer.stats["reasoning_tokens"] += 1
        writer.event(chunk(escape(make_token(rng, REASONING_WORDS))))
        writer.keep_alive_sometimes(rng)
    writer.event(chunk(escape("</think>")))
    writer.stats["reasoning_tokens"] += 1
    while writer.stats["bytes"] < size_bytes or writer.stats["answer_tokens"] == 0:
        token = make_token(rng, ANSWER_WORDS)
        writer.stats["answer_tokens"] += 1
        writer.stats["answer_bytes"] += len(token.encode("utf-8"))
        writer.event(chunk(escape(token)))
        writer.keep_alive_sometimes(rng)

    completion = writer.stats["reasoning_tokens"] + writer.stats["answer_tokens"]
    usage = ('{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}'
             % (PROMPT_TOKENS, completion, PROMPT_TOKENS + completion))
    writer.event(chunk('""', finish_reason='"stop"', usage=usage))
    writer.done()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size_mb", type=float, help="stream size in MB (10^6 bytes)")
    parser.add_argument("--shape", choices=("deepseek", "inline"), default="deepseek")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", help="file to write (default: standard output)")
    parser.add_argument("--stats", help="file to write the stream's counts to")
    args = parser.parse_args()
    if args.size_mb <= 0:
        parser.error("SIZE_MB must be positive")

    rng = random.Random(args.seed)
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    try:
        writer = TranscriptWriter(out)
        size_bytes = int(args.size_mb * 1_000_000)
        if args.shape == "deepseek":
            write_deepseek(writer, rng, size_bytes)
        else:
            write_inline(writer, rng, size_bytes)
        writer.flush()
    except BrokenPipeError:
        # The reader stopped early (for example after [DONE]); not our error.
        sys.stderr.close()
        return 1
    finally:
        if args.output:
            out.close()
        else:
            try:
                out.flush()
            except BrokenPipeError:
                pass
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as stats_file:
            for name, value in writer.stats.items():
                stats_file.write("%s %d\n" % (name, value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
