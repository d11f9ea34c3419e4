/* SPDX-License-Identifier: MIT */
/*
 * png.h - encode a small palette image as PNG (ISO/IEC 15948, the PNG
 * specification, second edition): signature, IHDR, PLTE, one IDAT (zlib
 * deflate), IEND, each chunk with its CRC-32.  Used for the /16 verdict
 * grids of the HTML page.  Pure: no I/O.
 */
#ifndef PTRAUDIT_PNG_H
#define PTRAUDIT_PNG_H

#include <stddef.h>
#include <stdint.h>

#define PNG_MAX_DIM 4096u   /* width and height cap: these are small pictures */

/* Encode a w x h image of 8-bit palette indices (pix[y * w + x], each <
 * ncolors) with palette rgb[3 * i .. 3 * i + 2] for i < ncolors (1..256).
 * Colour type 3, bit depth 8, filter type 0 on every row, no interlace.
 * *out is malloc()ed (caller frees), *outlen its size.  Returns 0,
 * -EINVAL (bad size, palette or index) or -ENOMEM.  Cost: O(w * h)
 * time, about 2 * w * h bytes of scratch. */
int png_encode_indexed(const uint8_t *pix, unsigned w, unsigned h, const uint8_t *rgb,
                       unsigned ncolors, unsigned char **out, size_t *outlen);

#endif
