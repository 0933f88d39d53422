"""JSON text exactly as vic-cloud's Go encoder writes intent parameters.

vic-cloud encodes an intent's parameters (a Go map[string]string) with
json.NewEncoder(&buf).Encode(params) (vector-cloud
internal/voice/stream/context.go, sendIntentResponse and sendKGResponse).
That means:
  * keys sorted by their bytes (Go sorts map keys when encoding);
  * compact output, no spaces;
  * HTML-safe escaping (the Encoder's default): < > & as \\u003c \\u003e \\u0026;
  * " and \\ escaped, \\n \\r \\t as such, other control characters as \\u00XX
    (lowercase hex), including \\b and \\f: the Go releases vic-cloud was built
    with predate Go 1.22, which changed those two to \\b and \\f;
  * U+2028 and U+2029 as \\u2028 \\u2029; a character that is not valid UTF-8
    (a lone surrogate here) as \\ufffd; every other character as raw UTF-8;
  * a trailing newline (Encoder.Encode adds one).
"""

_HEX = "0123456789abcdef"


def go_json_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or char in "<>&":
            out.append("\\u00" + _HEX[code >> 4] + _HEX[code & 0xF])
        elif char in "\u2028\u2029":
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def go_json_encode_string_map(params: dict) -> str:
    """Encode a map[string]string the way json.Encoder.Encode does."""
    for key, value in params.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("vic-cloud's parameters are map[string]string; got %r: %r"
                            % (key, value))
    keys = sorted(params, key=lambda key: key.encode("utf-8", "surrogatepass"))
    body = ",".join(go_json_string(key) + ":" + go_json_string(params[key]) for key in keys)
    return "{" + body + "}\n"
