/* SPDX-License-Identifier: MIT */
/*
 * stopsig.c - the stop signals (contract in stopsig.h).
 */
#include "stopsig.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t g_signo;   /* first stop signal */
static volatile sig_atomic_t g_signals; /* how many (saturates) */
static uv_async_t *volatile g_wake;     /* the loop's wake-up, while it runs */

static void on_stop_signal(int signo) {
  int saved = errno;
  if (!g_signo) g_signo = signo;
  if (g_signals < 64) g_signals++;
  uv_async_t *w = g_wake;
  if (w) uv_async_send(w);
  errno = saved;
}

void stopsig_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGHUP);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

void stopsig_attach(uv_async_t *wake) {
  g_wake = wake;
  if (g_signals) uv_async_send(wake);
}

void stopsig_detach(void) { g_wake = NULL; }

int stopsig_first(void) { return g_signo; }

int stopsig_count(void) { return g_signals; }

const char *stopsig_name(int signo) {
  return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : signo == SIGHUP ? "SIGHUP"
                                                                                    : "signal";
}
