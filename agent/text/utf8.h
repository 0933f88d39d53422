#pragma once

#include <cstddef>
#include <string_view>

#include "platform/text/utf8_cut.h"  // utf8_prefix_length, is_utf8_continuation

namespace vic_r1::text {

// The length of the well-formed UTF-8 sequence (RFC 3629) that starts at
// `bytes`, with `available` bytes readable from there: 1 for ASCII, 2 to 4
// for a multibyte character, or 0 when it is not one: an overlong form, an
// encoded surrogate (D800-DFFF), a code point past U+10FFFF, a stray
// continuation byte, a sequence cut short. As strict as RapidJSON's
// validation, so text that passes here passes there.
inline std::size_t utf8_sequence_length(const unsigned char* bytes, std::size_t available) {
  const unsigned char lead = bytes[0];
  if (lead < 0x80) return 1;
  // The lead byte fixes the length and the range of the second byte; the
  // narrowed ranges are what rule out overlongs, surrogates and > U+10FFFF.
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong below U+0800
    if (lead == 0xED) second_max = 0x9F;  // U+D800..U+DFFF are surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong below U+10000
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0, C1 or F5-FF
  }
  if (available < length) return 0;
  if (bytes[1] < second_min || bytes[1] > second_max) return 0;
  for (std::size_t next = 2; next < length; ++next) {
    if ((bytes[next] & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace vic_r1::text
