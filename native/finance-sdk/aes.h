/* AES-256 (FIPS-197) block decryption: the one cipher DecryptData needs, self-contained (no libcrypto). */
#ifndef FINANCE_AES_H
#define FINANCE_AES_H

#include <stdint.h>

typedef struct {
  uint8_t round_keys[240]; /* 15 round keys of 16 bytes */
} aes256_key;

void aes256_expand_key(aes256_key *key, const uint8_t raw[32]);
void aes256_decrypt_block(const aes256_key *key, const uint8_t in[16], uint8_t out[16]);
/* S-box entry, exposed for the self-test. */
uint8_t aes_sbox(uint8_t x);

#endif
