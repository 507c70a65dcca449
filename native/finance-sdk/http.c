#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"

enum { SDK_BAD_PARAM = 10000, SDK_NETWORK = 10001, SDK_PARSE = 10002 };

/* A media piece is ≤ 512 KB and a chat batch ≤ 1000 messages: anything near this is not the emulator. */
#define MAX_RESPONSE_BYTES (64u * 1024u * 1024u)

int http_parse_url(const char *url, http_url *out) {
  memset(out, 0, sizeof(*out));
  if (!url || strncmp(url, "http://", 7) != 0) return -1;
  const char *p = url + 7;
  const char *host_end;
  const char *after_host;
  if (*p == '[') {
    host_end = strchr(p, ']');
    if (!host_end) return -1;
    p++;
    after_host = host_end + 1;
  } else {
    host_end = p + strcspn(p, ":/?#");
    after_host = host_end;
  }
  size_t host_len = (size_t)(host_end - p);
  if (host_len == 0 || host_len >= sizeof(out->host)) return -1;
  memcpy(out->host, p, host_len);
  p = after_host;
  if (*p == ':') {
    p++;
    size_t port_len = strspn(p, "0123456789");
    if (port_len == 0 || port_len >= sizeof(out->port)) return -1;
    memcpy(out->port, p, port_len);
    long port = strtol(out->port, NULL, 10);
    if (port < 1 || port > 65535) return -1;
    p += port_len;
  } else {
    strcpy(out->port, "80");
  }
  if (*p && *p != '/') return -1;
  size_t path_len = strcspn(p, "?#");
  while (path_len > 0 && p[path_len - 1] == '/') path_len--;
  if (path_len >= sizeof(out->path)) return -1;
  memcpy(out->path, p, path_len);
  return 0;
}

void http_response_free(http_response *res) {
  free(res->outindexbuf);
  free(res->body);
  memset(res, 0, sizeof(*res));
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long long deadline) {
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) return 0;
    struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
    int n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
    if (n > 0) return 1;
    if (n < 0 && errno != EINTR) return -1;
  }
}

static int connect_with_deadline(const char *host, const char *port, long long deadline) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo *list = NULL;
  if (getaddrinfo(host, port, &hints, &list) != 0) return -1;
  int fd = -1;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) break;
    }
    close(fd);
    fd = -1;
  }
  freeaddrinfo(list);
  return fd;
}

static int send_all(int fd, const char *data, size_t len, long long deadline) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (wait_fd(fd, POLLOUT, deadline) != 1) return -1;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return -1;
    }
  }
  return 0;
}

/* Header value as a malloc'd string (leading/trailing blanks trimmed). */
static char *header_value(const char *start, const char *end) {
  while (start < end && (*start == ' ' || *start == '\t')) start++;
  while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
  size_t n = (size_t)(end - start);
  char *v = malloc(n + 1);
  if (!v) return NULL;
  memcpy(v, start, n);
  v[n] = '\0';
  return v;
}

typedef struct {
  long long content_length; /* -1 when absent */
  int chunked;
  size_t body_start;
} response_head;

/* Parses the status line and headers of raw[0..head_len). 0 on success, SDK_PARSE otherwise. */
static int parse_head(const char *raw, size_t head_len, http_response *res, response_head *head) {
  head->content_length = -1;
  head->chunked = 0;
  if (head_len < 12 || strncmp(raw, "HTTP/1.", 7) != 0 || raw[8] != ' ') return SDK_PARSE;
  res->status = atoi(raw + 9);
  if (res->status < 100 || res->status > 599) return SDK_PARSE;
  const char *line = memchr(raw, '\n', head_len);
  const char *end = raw + head_len;
  while (line && line + 1 < end) {
    line++;
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol) eol = end;
    const char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon) {
      size_t name_len = (size_t)(colon - line);
      char *value = header_value(colon + 1, eol);
      if (!value) return SDK_PARSE;
#define HEADER_IS(name) (name_len == sizeof(name) - 1 && strncasecmp(line, name, name_len) == 0)
      if (HEADER_IS("Content-Length")) {
        char *stop = NULL;
        long long n = strtoll(value, &stop, 10);
        if (!*value || *stop || n < 0) {
          free(value);
          return SDK_PARSE;
        }
        head->content_length = n;
      } else if (HEADER_IS("Transfer-Encoding")) {
        head->chunked = strcasecmp(value, "chunked") == 0;
      } else if (HEADER_IS("X-Finance-Ret")) {
        char *stop = NULL;
        long n = strtol(value, &stop, 10);
        if (*value && !*stop) {
          res->has_ret = 1;
          res->ret = (int)n;
        }
      } else if (HEADER_IS("X-Finance-Abort")) {
        res->abort_requested = strcmp(value, "1") == 0;
      } else if (HEADER_IS("X-Finance-Is-Finish")) {
        res->is_finish = strcmp(value, "1") == 0;
      } else if (HEADER_IS("X-Finance-Outindexbuf")) {
        free(res->outindexbuf);
        res->outindexbuf = value;
        value = NULL;
      }
#undef HEADER_IS
      free(value);
    }
    line = eol;
  }
  return 0;
}

/* Decodes a chunked body in place. 1 complete (*len set), 0 incomplete so far, -1 malformed. */
static int dechunk(char *body, size_t avail, size_t *len) {
  size_t in = 0, out = 0;
  for (;;) {
    char *eol = memchr(body + in, '\n', avail - in);
    if (!eol) return 0;
    char *stop = NULL;
    unsigned long size = strtoul(body + in, &stop, 16);
    if (stop == body + in) return -1;
    size_t data = (size_t)(eol - body) + 1;
    if (size == 0) {
      *len = out;
      return 1;
    }
    if (data + size + 2 > avail) return 0;
    memmove(body + out, body + data, size);
    out += size;
    in = data + size;
    if (body[in] == '\r') in++;
    if (body[in] != '\n') return -1;
    in++;
  }
}

static int read_response(int fd, long long deadline, http_response *res) {
  strbuf raw;
  sb_init(&raw);
  response_head head = {.content_length = -1, .chunked = 0, .body_start = 0};
  int have_head = 0;
  int rc = SDK_NETWORK;
  char chunk[16384];
  for (;;) {
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (wait_fd(fd, POLLIN, deadline) != 1) goto done;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) goto done;
    if (n > 0) {
      sb_append(&raw, chunk, (size_t)n);
      if (raw.failed || raw.len > MAX_RESPONSE_BYTES) {
        rc = SDK_PARSE;
        goto done;
      }
    }
    if (!have_head && raw.len) {
      char *sep = strstr(raw.data, "\r\n\r\n");
      if (!sep && n == 0) {
        rc = SDK_PARSE;
        goto done;
      }
      if (sep) {
        head.body_start = (size_t)(sep - raw.data) + 4;
        int parsed = parse_head(raw.data, head.body_start - 2, res, &head);
        if (parsed) {
          rc = parsed;
          goto done;
        }
        have_head = 1;
      }
    }
    if (have_head) {
      size_t avail = raw.len - head.body_start;
      size_t body_len = 0;
      int complete = 0;
      if (head.chunked) {
        /* Decode a copy so a partial body can keep growing. */
        char *copy = malloc(avail + 1);
        if (!copy) {
          rc = SDK_PARSE;
          goto done;
        }
        memcpy(copy, raw.data + head.body_start, avail);
        copy[avail] = '\0';
        int state = dechunk(copy, avail, &body_len);
        if (state < 0) {
          free(copy);
          rc = SDK_PARSE;
          goto done;
        }
        if (state == 1) {
          copy[body_len] = '\0';
          res->body = copy;
          res->body_len = body_len;
          rc = 0;
          goto done;
        }
        free(copy);
      } else if (head.content_length >= 0 && avail >= (size_t)head.content_length) {
        body_len = (size_t)head.content_length;
        complete = 1;
      } else if (head.content_length < 0 && n == 0) {
        body_len = avail;
        complete = 1;
      }
      if (complete) {
        res->body = malloc(body_len + 1);
        if (!res->body) {
          rc = SDK_PARSE;
          goto done;
        }
        memcpy(res->body, raw.data + head.body_start, body_len);
        res->body[body_len] = '\0';
        res->body_len = body_len;
        rc = 0;
        goto done;
      }
    }
    if (n == 0) goto done; /* closed before the response was complete */
  }
done:
  sb_free(&raw);
  return rc;
}

int http_post_form(const http_url *target, const char *suffix, const char *form, const char *proxy,
                   const char *proxy_auth, int timeout_sec, http_response *res) {
  memset(res, 0, sizeof(*res));
  long long deadline = now_ms() + (long long)timeout_sec * 1000;
  int use_proxy = proxy && *proxy;
  http_url proxy_url;
  if (use_proxy && http_parse_url(proxy, &proxy_url) != 0) return SDK_BAD_PARAM;

  int ipv6 = strchr(target->host, ':') != NULL;
  char authority[300];
  snprintf(authority, sizeof(authority), "%s%s%s:%s", ipv6 ? "[" : "", target->host, ipv6 ? "]" : "",
           target->port);

  strbuf req;
  sb_init(&req);
  sb_append_str(&req, "POST ");
  if (use_proxy) {
    sb_append_str(&req, "http://");
    sb_append_str(&req, authority);
  }
  sb_append_str(&req, target->path);
  sb_append_str(&req, suffix);
  sb_append_str(&req, " HTTP/1.1\r\nHost: ");
  sb_append_str(&req, authority);
  sb_append_str(&req, "\r\nUser-Agent: WeWorkFinanceSdk-standin/1.0\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n");
  if (use_proxy && proxy_auth && *proxy_auth) {
    char *encoded = base64_encode((const unsigned char *)proxy_auth, strlen(proxy_auth));
    if (!encoded) {
      sb_free(&req);
      return SDK_NETWORK;
    }
    sb_append_str(&req, "Proxy-Authorization: Basic ");
    sb_append_str(&req, encoded);
    sb_append_str(&req, "\r\n");
    free(encoded);
  }
  char length[64];
  snprintf(length, sizeof(length), "Content-Length: %zu\r\n\r\n", strlen(form));
  sb_append_str(&req, length);
  sb_append_str(&req, form);
  size_t req_len = 0;
  char *request = sb_take(&req, &req_len);
  if (!request) return SDK_NETWORK;

  int fd = use_proxy ? connect_with_deadline(proxy_url.host, proxy_url.port, deadline)
                     : connect_with_deadline(target->host, target->port, deadline);
  int rc = SDK_NETWORK;
  if (fd >= 0) {
    if (send_all(fd, request, req_len, deadline) == 0) rc = read_response(fd, deadline, res);
    close(fd);
  }
  free(request);
  if (rc != 0) http_response_free(res);
  return rc;
}
