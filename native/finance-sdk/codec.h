/* Small encoders the SDK needs: a growable byte buffer, form (percent) encoding and strict base64. */
#ifndef FINANCE_CODEC_H
#define FINANCE_CODEC_H

#include <stddef.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
  int failed; /* set when an allocation failed; every later append is a no-op */
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_append(strbuf *sb, const char *bytes, size_t len);
void sb_append_str(strbuf *sb, const char *s);
/* Appends `&key=value` (no `&` when empty), both application/x-www-form-urlencoded. */
void sb_append_form(strbuf *sb, const char *key, const char *value);
/* Gives the NUL-terminated buffer to the caller (NULL when an allocation failed) and resets sb. */
char *sb_take(strbuf *sb, size_t *len);

/* Strict standard base64 (RFC 4648 §4, padded, no whitespace). 0 on success; *out is malloc'd and
 * NUL-terminated. -1 when the input is not base64 or memory runs out. */
int base64_decode(const char *in, size_t in_len, unsigned char **out, size_t *out_len);
/* malloc'd, NUL-terminated; NULL when memory runs out. */
char *base64_encode(const unsigned char *in, size_t in_len);

#endif
