#include "cshipcheck_spawn.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

// Sixteen byte lanes count matches for up to 255 blocks, then fold into the total: one compare and
// one subtract per 16 bytes. (Swift's generic SIMD types ran ten times slower than the pipe, and
// the compiler's own vectorisation of a plain loop widened every byte to 64 bits.)
size_t shipcheck_count_byte(const unsigned char *bytes, size_t count, unsigned char byte) {
    size_t found = 0;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i needle = _mm_set1_epi8((char)byte);
    while (count - i >= 16) {
        __m128i lanes = _mm_setzero_si128();
        size_t blocks = (count - i) / 16;
        if (blocks > 255) blocks = 255;
        for (size_t block = 0; block < blocks; block++, i += 16) {
            __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + i));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(chunk, needle));
        }
        __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
        found += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#elif defined(__ARM_NEON)
    const uint8x16_t needle = vdupq_n_u8(byte);
    while (count - i >= 16) {
        uint8x16_t lanes = vdupq_n_u8(0);
        size_t blocks = (count - i) / 16;
        if (blocks > 255) blocks = 255;
        for (size_t block = 0; block < blocks; block++, i += 16) {
            lanes = vsubq_u8(lanes, vceqq_u8(vld1q_u8(bytes + i), needle));
        }
        found += vaddlvq_u8(lanes);
    }
#endif
    for (; i < count; i++) found += bytes[i] == byte;
    return found;
}
