#include "codec.h"

#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *sb) { memset(sb, 0, sizeof(*sb)); }

void sb_free(strbuf *sb) {
  free(sb->data);
  sb_init(sb);
}

void sb_append(strbuf *sb, const char *bytes, size_t len) {
  if (sb->failed) return;
  if (sb->len + len + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + len + 1) cap *= 2;
    char *grown = realloc(sb->data, cap);
    if (!grown) {
      sb->failed = 1;
      return;
    }
    sb->data = grown;
    sb->cap = cap;
  }
  if (len) memcpy(sb->data + sb->len, bytes, len);
  sb->len += len;
  sb->data[sb->len] = '\0';
}

void sb_append_str(strbuf *sb, const char *s) { sb_append(sb, s, strlen(s)); }

static void append_form_encoded(strbuf *sb, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      sb_append(sb, (const char *)p, 1);
    } else {
      char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
      sb_append(sb, esc, 3);
    }
  }
}

void sb_append_form(strbuf *sb, const char *key, const char *value) {
  if (sb->len) sb_append(sb, "&", 1);
  append_form_encoded(sb, key);
  sb_append(sb, "=", 1);
  append_form_encoded(sb, value ? value : "");
}

char *sb_take(strbuf *sb, size_t *len) {
  if (sb->failed) {
    sb_free(sb);
    return NULL;
  }
  if (!sb->data) sb_append(sb, "", 0);
  if (sb->failed) {
    sb_free(sb);
    return NULL;
  }
  char *out = sb->data;
  if (len) *len = sb->len;
  sb_init(sb);
  return out;
}

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int base64_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len) {
  if (in_len % 4 != 0) return -1;
  size_t pad = 0;
  if (in_len >= 1 && in[in_len - 1] == '=') pad++;
  if (in_len >= 2 && in[in_len - 2] == '=') pad++;
  size_t size = in_len / 4 * 3 - pad;
  unsigned char *buf = malloc(size + 1);
  if (!buf) return -1;
  size_t o = 0;
  for (size_t i = 0; i < in_len; i += 4) {
    int v[4];
    int last = i + 4 == in_len;
    for (int j = 0; j < 4; j++) {
      unsigned char c = (unsigned char)in[i + j];
      if (c == '=' && last && (size_t)j >= 4 - pad) {
        v[j] = 0;
        continue;
      }
      v[j] = b64_value(c);
      if (v[j] < 0) {
        free(buf);
        return -1;
      }
    }
    unsigned long triple = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) | ((unsigned long)v[2] << 6) |
                           (unsigned long)v[3];
    unsigned char bytes[3] = {(unsigned char)(triple >> 16), (unsigned char)(triple >> 8), (unsigned char)triple};
    size_t take = last ? 3 - pad : 3;
    /* Bits beyond the last byte must be zero (canonical encoding). */
    if (last && pad && (bytes[take] != 0 || (pad == 2 && bytes[2] != 0))) {
      free(buf);
      return -1;
    }
    memcpy(buf + o, bytes, take);
    o += take;
  }
  buf[o] = '\0';
  *out = buf;
  *out_len = o;
  return 0;
}

char *base64_encode(const unsigned char *in, size_t in_len) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((in_len + 2) / 3 * 4 + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < in_len; i += 3) {
    size_t n = in_len - i < 3 ? in_len - i : 3;
    unsigned long triple = (unsigned long)in[i] << 16;
    if (n > 1) triple |= (unsigned long)in[i + 1] << 8;
    if (n > 2) triple |= in[i + 2];
    out[o++] = alphabet[(triple >> 18) & 63];
    out[o++] = alphabet[(triple >> 12) & 63];
    out[o++] = n > 1 ? alphabet[(triple >> 6) & 63] : '=';
    out[o++] = n > 2 ? alphabet[triple & 63] : '=';
  }
  out[o] = '\0';
  return out;
}
