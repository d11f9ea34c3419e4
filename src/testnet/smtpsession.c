/* SPDX-License-Identifier: MIT */
/*
 * smtpsession.c - what each SMTP scenario says and how it reads
 * (smtpconn.h, tests/testnet.md).
 */
#include "smtpconn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DRIP_MS 2000
#define MULTILINE_MS 100
#define FLOOD_TOTAL (4 * 1024 * 1024)
#define FLOOD_CHUNK (64 * 1024)

static char flood_buf[FLOOD_CHUNK];


/* The host name of the greeting and of the EHLO reply. */
static size_t host_name(const struct conn *c, char *buf, size_t cap) {
  const char *fixed = c->scn == TN_SMTP_OTHER     ? "other.example.net"
                      : c->scn == TN_SMTP_NOTFQDN ? "localhost"
                                                  : NULL;
  if (fixed)
    return (size_t)snprintf(buf, cap, "%s", fixed);
  if (c->scn == TN_SMTP_SHARED) {
    /* One name per /24: the label of its first address. */
    struct tn_ip first = c->ip;
    char L[TN_LABEL_MAX];
    first.b[3] = 0;
    tn_label(&first, L);
    return (size_t)snprintf(buf, cap, "mta-%s.shared.tn.test", L);
  }
  return tn_banner_name(&c->ip, buf, cap);
}

static void greeted(struct conn *c) {
  if (c->state == SC_PRE)
    c->state = SC_CMD;
}

static void flood_next(struct conn *c);

static void flood_written(uv_write_t *req, int status) {
  struct conn *c = req->data;
  if (status < 0)
    sc_close(c);
  else
    flood_next(c);
}

static void flood_next(struct conn *c) {
  if (c->closing)
    return;
  if (flood_buf[0] != '2') {
    memset(flood_buf, 'x', sizeof flood_buf);
    memcpy(flood_buf, "220 ", 4);
  }
  if (c->step >= FLOOD_TOTAL) {
    sc_close(c);
    return;
  }
  /* The first chunk starts with "220 ", the rest is 'x': no CR, no LF. */
  size_t off = c->step == 0 ? 0 : 4;
  size_t n = FLOOD_CHUNK - off;
  if (n > FLOOD_TOTAL - c->step)
    n = FLOOD_TOTAL - c->step;
  uv_buf_t b = uv_buf_init(flood_buf + off, (unsigned)n);
  c->flood_req.data = c;
  if (uv_write(&c->flood_req, (uv_stream_t *)&c->h, &b, 1, flood_written) != 0) {
    sc_close(c);
    return;
  }
  c->step += n;
}

static void pace(uv_timer_t *t) {
  struct conn *c = t->data;
  if (c->closing)
    return;
  if (c->scn == TN_SMTP_DRIP) {
    sc_send_bytes(c, c->greet + c->step, 1);
    if (++c->step >= c->greetlen) {
      uv_timer_stop(t);
      greeted(c);
    }
  } else { /* TN_SMTP_MULTILINE: lines 2 and 3 */
    if (c->step == 1) {
      sc_send_str(c, "220-second line\r\n");
      c->step = 2;
      uv_timer_start(t, pace, MULTILINE_MS, 0);
    } else {
      /* state first: the final line counts as sent once it is issued */
      greeted(c);
      sc_send_str(c, "220 ready\r\n");
    }
  }
}

int sc_start_timer(struct conn *c, uv_timer_cb cb, uint64_t first, uint64_t repeat) {
  if (!c->has_timer) {
    if (uv_timer_init(c->srv->loop, &c->t) != 0)
      return -1;
    c->t.data = c;
    c->has_timer = 1;
    c->handles++;
  }
  return uv_timer_start(&c->t, cb, first, repeat);
}

/* The scenarios that do something other than send one text: returns 1
 * when handled. */
static int greet_special(struct conn *c, const char *name) {
  struct tn_smtp_server *s = c->srv;
  switch (c->scn) {
  case TN_SMTP_NOLISTEN: /* only reachable in wildcard mode */
  case TN_SMTP_RST:
    sc_reset(c);
    return 1;
  case TN_SMTP_CLOSE:
    sc_close(c);
    return 1;
  case TN_SMTP_SILENT:
    return 1;
  case TN_SMTP_FLOOD:
    flood_next(c);
    return 1;
  case TN_SMTP_DRIP:
    c->greetlen = (size_t)snprintf(c->greet, sizeof c->greet, "220 %s slow\r\n", name);
    if (c->greetlen >= sizeof c->greet)
      c->greetlen = sizeof c->greet - 1;
    sc_send_bytes(c, c->greet, 1);
    c->step = 1;
    if (sc_start_timer(c, pace, DRIP_MS, DRIP_MS) != 0)
      sc_close(c);
    return 1;
  case TN_SMTP_MULTILINE: {
    size_t n = (size_t)snprintf(s->scratch, sizeof s->scratch, "220-%s ESMTP testnet\r\n", name);
    sc_send_bytes(c, s->scratch, n);
    c->step = 1;
    if (sc_start_timer(c, pace, MULTILINE_MS, 0) != 0)
      sc_close(c);
    return 1;
  }
  default:
    return 0;
  }
}

/* The whole greeting of a one-shot scenario into b[cap]; returns its
 * length, 0 for an unknown scenario. */
static size_t greet_text(const struct conn *c, const char *name, char *b, size_t cap) {
  static const char odd[] = " \x00\xff\xfe ok\r\n"; /* NUL, 0xff, 0xfe */
  size_t n = 0;
  switch (c->scn) {
  case TN_SMTP_BANNER: return (size_t)snprintf(b, cap, "220 %s ESMTP testnet\r\n", name);
  case TN_SMTP_OTHER: return (size_t)snprintf(b, cap, "220 other.example.net ESMTP\r\n");
  case TN_SMTP_554: return (size_t)snprintf(b, cap, "554 %s no service\r\n", name);
  case TN_SMTP_421: return (size_t)snprintf(b, cap, "421 %s try later\r\n", name);
  case TN_SMTP_NOTFQDN: return (size_t)snprintf(b, cap, "220 localhost ESMTP\r\n");
  case TN_SMTP_BARELF: return (size_t)snprintf(b, cap, "220-%s ESMTP\n220 ok\n", name);
  case TN_SMTP_RSTAFTER: return (size_t)snprintf(b, cap, "220 %s ESMTP\r\n", name);
  case TN_SMTP_SHARED: return (size_t)snprintf(b, cap, "220 %s ESMTP\r\n", name);
  case TN_SMTP_LINES:
    for (int i = 1; i <= 1000; i++)
      n += (size_t)snprintf(b + n, cap - n, "220-line %d\r\n", i);
    return n + (size_t)snprintf(b + n, cap - n, "220 end\r\n");
  case TN_SMTP_BINARY:
    n = (size_t)snprintf(b, cap, "220 %s", name);
    memcpy(b + n, odd, sizeof odd - 1);
    return n + sizeof odd - 1;
  case TN_SMTP_MTA: case TN_SMTP_TARPIT3: case TN_SMTP_TARPIT15: case TN_SMTP_TARPIT45:
    return (size_t)snprintf(b, cap, "220 %s ESMTP ready\r\n", name);
  case TN_SMTP_554ESC:
    return (size_t)snprintf(b, cap, "554 5.7.1 Service unavailable; access denied by local policy\r\n");
  case TN_SMTP_521ESC:
    return (size_t)snprintf(b, cap, "521 5.3.2 %s Service currently unavailable\r\n", name);
  case TN_SMTP_421ESC:
    return (size_t)snprintf(b, cap, "421 4.7.0 %s Service unavailable - try again later\r\n", name);
  default:
    return 0;
  }
}

void sc_greet(struct conn *c) {
  struct tn_smtp_server *s = c->srv;
  char name[300];
  host_name(c, name, sizeof name);
  if (greet_special(c, name))
    return;
  size_t n = greet_text(c, name, s->scratch, sizeof s->scratch);
  if (n == 0) {
    sc_close(c);
    return;
  }
  greeted(c); /* the final line counts as sent once it is issued */
  switch (c->scn) {
  case TN_SMTP_RSTAFTER:
    c->state = SC_IGNORE;
    c->reset_when_drained = 1;
    break;
  case TN_SMTP_521ESC:
  case TN_SMTP_421ESC:
    /* A reject greeting, then the server hangs up (RFC 7504 for 521). */
    c->state = SC_IGNORE;
    c->close_when_drained = 1;
    break;
  default:
    break;
  }
  sc_send_bytes(c, s->scratch, n);
  sc_drained(c);
}

void sc_greet_later(uv_timer_t *t) {
  struct conn *c = t->data;
  if (!c->closing)
    sc_greet(c);
}

/* One command line from the client (CR LF or bare LF stripped). */
static void command(struct conn *c, const char *line, size_t len) {
  struct tn_smtp_server *s = c->srv;
  char verb[5] = {0}, name[300], reply[700];
  for (size_t i = 0; i < 4 && i < len; i++)
    verb[i] = (char)(line[i] >= 'a' && line[i] <= 'z' ? line[i] - 32 : line[i]);
  int word = len == 4 || (len > 4 && line[4] == ' ');
  if (word && strcmp(verb, "EHLO") == 0) {
    s->st->smtp_ehlo++;
    host_name(c, name, sizeof name);
    snprintf(reply, sizeof reply, "250-%s\r\n250 OK\r\n", name);
    sc_send_str(c, reply);
  } else if (word && strcmp(verb, "HELO") == 0) {
    s->st->smtp_helo++;
    host_name(c, name, sizeof name);
    snprintf(reply, sizeof reply, "250 %s\r\n", name);
    sc_send_str(c, reply);
  } else if (word && strcmp(verb, "QUIT") == 0) {
    s->st->smtp_quit++;
    c->state = SC_IGNORE;
    if (c->polite) {
      /* Keep reading: how the client ends the session (FIN or RST) is
       * counted when it does (sc_read). */
      c->quit_at = uv_now(s->loop);
      sc_send_str(c, "221 2.0.0 Bye\r\n");
      return;
    }
    c->close_when_drained = 1;
    sc_send_str(c, "221 bye\r\n");
    sc_drained(c);
  } else if (word && (strcmp(verb, "NOOP") == 0 || strcmp(verb, "RSET") == 0)) {
    s->st->smtp_other_cmd++;
    sc_send_str(c, "250 OK\r\n");
  } else {
    s->st->smtp_other_cmd++;
    sc_send_str(c, "502 command not implemented\r\n");
  }
}

void sc_note_pregreet(struct conn *c) {
  if (c->pregreet)
    return;
  c->pregreet = 1;
  c->srv->st->smtp_pregreet++;
  char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN + 8] = "?";
  struct sockaddr_storage ss;
  int sl = sizeof ss;
  sc_fmt_ip(&c->ip, local, sizeof local);
  if (uv_tcp_getpeername(&c->h, (struct sockaddr *)&ss, &sl) == 0) {
    char a[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
      struct sockaddr_in *in = (struct sockaddr_in *)&ss;
      inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
      snprintf(peer, sizeof peer, "%s:%u", a, ntohs(in->sin_port));
    } else {
      struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
      inet_ntop(AF_INET6, &in->sin6_addr, a, sizeof a);
      snprintf(peer, sizeof peer, "[%s]:%u", a, ntohs(in->sin6_port));
    }
  }
  tn_log("smtp pregreet: client %s sent before the greeting's final line "
         "(to %s, scenario %d %s)",
         peer, local, c->scn, tn_smtp_scenario_name(c->scn));
}

void sc_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct conn *c = h->data;
  (void)suggested;
  *buf = uv_buf_init(c->srv->rbuf, sizeof c->srv->rbuf);
}

void sc_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf) {
  struct conn *c = h->data;
  if (nread < 0) {
    if (nread == UV_EOF)
      c->srv->st->smtp_client_fin++;
    else if (nread == UV_ECONNRESET)
      c->srv->st->smtp_client_rst++;
    sc_close(c);
    return;
  }
  if (nread == 0 || c->closing)
    return;
  if (c->state == SC_PRE) {
    sc_note_pregreet(c);
    return; /* a server that has not greeted does not read commands */
  }
  if (c->state != SC_CMD)
    return;
  for (ssize_t i = 0; i < nread && c->state == SC_CMD && !c->closing; i++) {
    char ch = buf->base[i];
    if (ch != '\n') {
      if (c->linelen < LINE_MAX_LEN)
        c->line[c->linelen++] = ch;
      else
        c->overlong = 1;
      continue;
    }
    size_t len = c->linelen;
    if (len > 0 && c->line[len - 1] == '\r')
      len--;
    if (c->overlong)
      sc_send_str(c, "500 line too long\r\n");
    else
      command(c, c->line, len);
    c->linelen = 0;
    c->overlong = 0;
  }
}

