/* SPDX-License-Identifier: MIT */
/*
 * png.c - minimal PNG encoder for palette images.  See png.h.
 *
 * Layout (PNG spec sections 5.2-5.3, 11.2): the 8-byte signature, then
 * chunks of length (4 bytes, big endian), type (4), data, and a CRC-32 of
 * type + data (the same CRC as zlib's crc32()).  The image data is the
 * scanlines, each preceded by its filter-type byte (0 = None), compressed
 * as one zlib stream (compression method 0 = deflate, section 10).
 */
#include "png.h"

#include <stdlib.h>
#include <string.h>
#include "err.h"
#include <zlib.h>

static unsigned char *put32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
  return p + 4;
}

/* Write one chunk at p; returns the end. */
static unsigned char *chunk(unsigned char *p, const char type[4], const unsigned char *data,
                            uint32_t len) {
  p = put32(p, len);
  memcpy(p, type, 4);
  if (len) memcpy(p + 4, data, len);
  uLong crc = crc32(0L, p, 4 + len);
  return put32(p + 4 + len, (uint32_t)crc);
}

int png_encode_indexed(const uint8_t *pix, unsigned w, unsigned h, const uint8_t *rgb,
                       unsigned ncolors, unsigned char **out, size_t *outlen) {
  *out = NULL;
  *outlen = 0;
  if (w == 0 || h == 0 || w > PNG_MAX_DIM || h > PNG_MAX_DIM || ncolors == 0 ||
      ncolors > 256)
    return -EINVAL;
  for (size_t i = 0; i < (size_t)w * h; i++)
    if (pix[i] >= ncolors) return -EINVAL;

  size_t rawlen = (size_t)(w + 1) * h;
  unsigned char *raw = malloc(rawlen);
  if (!raw) return -ENOMEM;
  for (unsigned y = 0; y < h; y++) {
    raw[(size_t)y * (w + 1)] = 0; /* filter type None */
    memcpy(raw + (size_t)y * (w + 1) + 1, pix + (size_t)y * w, w);
  }
  uLongf zlen = compressBound((uLong)rawlen);
  unsigned char *z = malloc(zlen);
  if (!z) {
    free(raw);
    return -ENOMEM;
  }
  /* Level 6 (zlib's default): on a busy 256x256 grid level 9 took about
   * three times as long for output only ~10% smaller. */
  int zrc = compress2(z, &zlen, raw, (uLong)rawlen, 6);
  free(raw);
  if (zrc != Z_OK) {
    free(z);
    return zrc == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
  }

  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  size_t total = sizeof sig + 12 + 13 + 12 + 3 * (size_t)ncolors + 12 + zlen + 12;
  unsigned char *png = malloc(total);
  if (!png) {
    free(z);
    return -ENOMEM;
  }
  unsigned char ihdr[13];
  put32(ihdr, w);
  put32(ihdr + 4, h);
  ihdr[8] = 8;   /* bit depth */
  ihdr[9] = 3;   /* colour type: palette */
  ihdr[10] = 0;  /* compression: deflate */
  ihdr[11] = 0;  /* filter method 0 */
  ihdr[12] = 0;  /* no interlace */
  unsigned char *p = png;
  memcpy(p, sig, sizeof sig);
  p += sizeof sig;
  p = chunk(p, "IHDR", ihdr, 13);
  p = chunk(p, "PLTE", rgb, 3 * ncolors);
  p = chunk(p, "IDAT", z, (uint32_t)zlen);
  p = chunk(p, "IEND", NULL, 0);
  free(z);
  *out = png;
  *outlen = (size_t)(p - png);
  return 0;
}
