/* SPDX-License-Identifier: MIT */
/* check_permute.c - the --seed permutation is a bijection on [0, n) for
 * awkward sizes, depends on the seed, and spreads neighbours apart. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "permute.h"

static void assert_bijection(uint64_t n, uint64_t seed) {
  struct permute p;
  unsigned char *seen = calloc(n, 1);
  ck_assert_ptr_nonnull(seen);
  permute_init(&p, n, seed);
  for (uint64_t i = 0; i < n; i++) {
    uint64_t v = permute_at(&p, i);
    ck_assert_uint_lt(v, n);
    ck_assert_int_eq(seen[v], 0);
    seen[v] = 1;
  }
  free(seen);
}

START_TEST(bijection_many_sizes) {
  static const uint64_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 255, 256, 257, 1000, 4096, 65535, 65536,
                                   100003};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    assert_bijection(sizes[i], 0);
    assert_bijection(sizes[i], 42);
  }
}
END_TEST

START_TEST(seed_changes_order) {
  struct permute a, b;
  permute_init(&a, 65536, 1);
  permute_init(&b, 65536, 2);
  unsigned same = 0;
  for (uint64_t i = 0; i < 1000; i++) same += permute_at(&a, i) == permute_at(&b, i);
  ck_assert_uint_lt(same, 10);
}
END_TEST

START_TEST(same_seed_same_order) {
  struct permute a, b;
  permute_init(&a, 1u << 20, 99);
  permute_init(&b, 1u << 20, 99);
  for (uint64_t i = 0; i < 5000; i++) ck_assert_uint_eq(permute_at(&a, i), permute_at(&b, i));
}
END_TEST

START_TEST(spreads_across_24s) {
  /* The first 256 positions of a /16 must not stay inside a few /24s. */
  struct permute p;
  unsigned char hit[256] = {0};
  unsigned distinct = 0;
  permute_init(&p, 65536, 7);
  for (uint64_t i = 0; i < 256; i++) {
    unsigned net = (unsigned)(permute_at(&p, i) >> 8);
    if (!hit[net]++) distinct++;
  }
  ck_assert_uint_gt(distinct, 100);
}
END_TEST

START_TEST(full_64_bit_domain) {
  struct permute p;
  permute_init(&p, 0, 5); /* 2^64 */
  uint64_t a = permute_at(&p, 0), b = permute_at(&p, 1);
  ck_assert(a != b);
}
END_TEST

Suite *permute_suite(void) {
  Suite *s = suite_create("permute");
  TCase *tc = tcase_create("feistel");
  tcase_add_test(tc, bijection_many_sizes);
  tcase_add_test(tc, seed_changes_order);
  tcase_add_test(tc, same_seed_same_order);
  tcase_add_test(tc, spreads_across_24s);
  tcase_add_test(tc, full_64_bit_domain);
  suite_add_tcase(s, tc);
  return s;
}
