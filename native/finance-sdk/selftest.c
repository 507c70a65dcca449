/* `make check`: the AES-256 and base64 building blocks against published vectors, before any FFI is involved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes.h"
#include "codec.h"

static int failures = 0;

static void expect(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "FAIL: %s\n", what);
    failures++;
  }
}

static void from_hex(const char *hex, unsigned char *out) {
  for (size_t i = 0; hex[2 * i]; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

int main(void) {
  /* FIPS-197 §5.1.1 / Figure 7: S-box entries. */
  expect(aes_sbox(0x00) == 0x63 && aes_sbox(0x53) == 0xed && aes_sbox(0xff) == 0x16, "S-box values");

  /* FIPS-197 Appendix C.3 (AES-256). */
  unsigned char key[32], cipher[16], expected[16], plain[16];
  from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key);
  from_hex("8ea2b7ca516745bfeafc49904b496089", cipher);
  from_hex("00112233445566778899aabbccddeeff", expected);
  aes256_key k;
  aes256_expand_key(&k, key);
  aes256_decrypt_block(&k, cipher, plain);
  expect(memcmp(plain, expected, 16) == 0, "FIPS-197 C.3 AES-256 decryption");

  /* RFC 4648 §10 test vectors, both directions; non-canonical and malformed input rejected. */
  const char *pairs[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
                            {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
    char *enc = base64_encode((const unsigned char *)pairs[i][0], strlen(pairs[i][0]));
    expect(enc && strcmp(enc, pairs[i][1]) == 0, "base64 encode (RFC 4648)");
    free(enc);
    unsigned char *dec = NULL;
    size_t len = 0;
    expect(base64_decode(pairs[i][1], strlen(pairs[i][1]), &dec, &len) == 0 && len == strlen(pairs[i][0]) &&
               memcmp(dec, pairs[i][0], len) == 0,
           "base64 decode (RFC 4648)");
    free(dec);
  }
  const char *bad[] = {"Zg=", "Zh==", "Zm9=", "Zm 9v", "Z===", "Zm9v\n", "Zg==Zg=="};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    unsigned char *dec = NULL;
    size_t len = 0;
    int rc = base64_decode(bad[i], strlen(bad[i]), &dec, &len);
    if (rc == 0) free(dec);
    expect(rc != 0, bad[i]);
  }

  if (failures) return 1;
  puts("finance-sdk self-test: ok");
  return 0;
}
