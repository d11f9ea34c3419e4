/* SPDX-License-Identifier: MIT */
/*
 * fuzz_checkpoint.c - libFuzzer target for the checkpoint parser
 * (src/output/checkpoint.h, checkpoint_parse).
 *
 * The input is a checkpoint file's bytes.  Beyond "does not crash":
 *   - on success: the pending list is strictly ascending and below next,
 *     the report name is a C string shorter than its array, and the input
 *     held no NUL; checkpoint_format() of the result gives back exactly the
 *     input (the format has one spelling per checkpoint, so anything
 *     accepted is canonical: no hidden text, no second way to write a
 *     number or a name), and checkpoint_done() agrees with a linear
 *     search of the pending list for a few sequence numbers;
 *   - on failure: -EINVAL or -ENOMEM, the message names the file ("cp:"),
 *     is one line and holds no control byte, and nothing is left
 *     allocated (pending is NULL).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

#include "fuzz.h"

static int linear_done(const struct checkpoint *cp, uint64_t seq) {
  if (seq >= cp->next) return 0;
  for (size_t i = 0; i < cp->npending; i++)
    if (cp->pending[i] == seq) return 0;
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct checkpoint cp;
  char err[512];
  /* An exact-size copy, so that any read past the input is seen by ASan. */
  char *buf = malloc(size ? size : 1);
  CHECK(buf);
  if (size) memcpy(buf, data, size);
  else buf[0] = 0;
  err[0] = '\0';
  int rc = checkpoint_parse(buf, size, "cp", &cp, err, sizeof err);
  if (rc == 0) {
    CHECK(!memchr(buf, '\0', size));
    for (size_t i = 0; i < cp.npending; i++) {
      CHECK(cp.pending[i] < cp.next);
      CHECK(i == 0 || cp.pending[i - 1] < cp.pending[i]);
    }
    CHECK(memchr(cp.report, '\0', sizeof cp.report) != NULL);
    uint64_t probes[] = {0, cp.next ? cp.next - 1 : 0, cp.next, cp.next / 2,
                         cp.npending ? cp.pending[0] : 1, cp.npending ? cp.pending[0] + 1 : 2};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
      CHECK(checkpoint_done(&cp, probes[i]) == linear_done(&cp, probes[i]));
    char *text;
    size_t len;
    CHECK(checkpoint_format(&cp, &text, &len) == 0);
    CHECK(len == size && memcmp(text, buf, size) == 0);
    free(text);
    checkpoint_free(&cp);
  } else {
    CHECK(rc == -EINVAL || rc == -ENOMEM);
    CHECK(cp.pending == NULL && cp.npending == 0);
    CHECK(strncmp(err, "cp:", 3) == 0);
    for (const char *p = err; *p; p++) CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
  }
  free(buf);
  return 0;
}
