/*
 * A minimal HTTP/1.1 client over POSIX sockets: one POST per connection (`Connection: close`), an overall
 * deadline, optionally through an http:// forward proxy. Enough to reach the emulator; nothing more.
 */
#ifndef FINANCE_HTTP_H
#define FINANCE_HTTP_H

#include <stddef.h>

typedef struct {
  char host[256]; /* without IPv6 brackets */
  char port[8];
  char path[1024]; /* "" or "/…" without a trailing slash */
} http_url;

/* Parses http://host[:port][/path]; 0 on success, -1 otherwise (only the http scheme is accepted). */
int http_parse_url(const char *url, http_url *out);

typedef struct {
  int status;
  /* Stand-in protocol headers (see README.md). */
  int has_ret;
  int ret;
  int abort_requested;
  int is_finish;
  char *outindexbuf; /* malloc'd, or NULL when absent */
  char *body;        /* malloc'd, NUL-terminated */
  size_t body_len;
} http_response;

void http_response_free(http_response *res);

/*
 * POSTs `form` (application/x-www-form-urlencoded) to target->path + suffix, within timeout_sec seconds.
 * proxy: NULL/"" for a direct connection, else an http:// proxy URL; proxy_auth: "user:password" or NULL/"".
 * Returns 0 (a response was read, whatever its status), 10000 for an unusable proxy, 10001 for a network
 * failure or timeout, 10002 for a response that is not HTTP.
 */
int http_post_form(const http_url *target, const char *suffix, const char *form, const char *proxy,
                   const char *proxy_auth, int timeout_sec, http_response *res);

#endif
