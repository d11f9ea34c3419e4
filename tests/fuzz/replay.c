/* SPDX-License-Identifier: MIT */
/*
 * replay.c - run a fuzz target's corpus without libFuzzer.
 *
 *   replay_<target> DIR|FILE...
 *
 * Linked with one tests/fuzz/fuzz_<target>.c and built with the normal
 * compiler and flags (sanitizers when configured), so `make check` replays
 * every seed without clang.  Each file is run in a child process, so an
 * input that aborts (a failed invariant, an ASan or UBSan report) is
 * counted as failed and the others still run; so is one that runs longer
 * than REPLAY_TIMEOUT seconds.  Directory entries starting
 * with '.' are skipped; files are run in name order so the output is
 * stable.  Prints one line per failing file and a summary:
 *   replay_<target>: N passed, M failed
 * Exit status: 0 if nothing failed, 1 otherwise, 2 on a usage or I/O error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seconds one input may take (SIGALRM ends the child: counted failed). */
#define REPLAY_TIMEOUT 60

static unsigned long passed, failed;
static int io_error;

/* Read the whole file into an exact-size buffer (reads past the input are
 * then ASan errors, as under libFuzzer). */
static uint8_t *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;
  if (!f) return NULL;
  for (;;) {
    size_t got;
    if (n == cap) {
      uint8_t *nb;
      cap = cap ? cap * 2 : 4096;
      nb = realloc(buf, cap);
      if (!nb) break;
      buf = nb;
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f) || n == cap) { /* read error, or realloc failed */
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  {
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
      free(buf);
      return NULL;
    }
    memcpy(exact, buf, n);
    free(buf);
    *size = n;
    return exact;
  }
}

static void run_file(const char *path) {
  pid_t pid;
  int status;

  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    fprintf(stderr, "replay: fork: %s\n", strerror(errno));
    io_error = 1;
    return;
  }
  if (pid == 0) {
    size_t size = 0;
    uint8_t *data;
    /* A hang (say, a pointer loop followed forever) is a failure too, not
     * a `make check` that never ends.  Generous: valgrind is slow. */
    alarm(REPLAY_TIMEOUT);
    data = slurp(path, &size);
    if (!data) {
      fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
      _exit(3);
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    exit(0); /* exit, not _exit: LeakSanitizer runs at exit */
  }
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "replay: waitpid: %s\n", strerror(errno));
      io_error = 1;
      return;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    passed++;
    return;
  }
  failed++;
  if (WIFSIGNALED(status))
    printf("FAIL %s (signal %d)\n", path, WTERMSIG(status));
  else
    printf("FAIL %s (exit %d)\n", path, WEXITSTATUS(status));
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0, i;

  if (!d) {
    fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
    io_error = 1;
    return;
  }
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      char **nn;
      cap = cap ? cap * 2 : 64;
      nn = realloc(names, cap * sizeof *names);
      if (!nn) break;
      names = nn;
    }
    names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
    if (!names[n]) break;
    sprintf(names[n], "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, by_name);
  for (i = 0; i < n; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) run_file(names[i]);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  int i;

  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR|FILE...\n", prog);
    return 2;
  }
  for (i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
      io_error = 1;
    } else if (S_ISDIR(st.st_mode)) {
      run_dir(argv[i]);
    } else {
      run_file(argv[i]);
    }
  }
  printf("%s: %lu passed, %lu failed\n", prog, passed, failed);
  if (io_error) return 2;
  return failed ? 1 : 0;
}
