/*
 * AES-256 per FIPS-197. The S-box is computed once at load time from its definition (multiplicative inverse in
 * GF(2^8) followed by the affine map) instead of being typed in as a table, and so are the InvMixColumns
 * multiplication tables; the self-test checks them against FIPS-197's values and the Appendix C.3 AES-256 vector.
 * Byte-oriented: messages are a few hundred bytes, so clarity over speed.
 */
#include "aes.h"

#include <string.h>

static uint8_t sbox[256];
static uint8_t inv_sbox[256];
/* x·9, x·11, x·13, x·14 in GF(2^8), for InvMixColumns. */
static uint8_t mul9[256], mul11[256], mul13[256], mul14[256];

static uint8_t gmul(uint8_t a, uint8_t b);

static uint8_t rotl8(uint8_t x, int shift) { return (uint8_t)((x << shift) | (x >> (8 - shift))); }

/* p walks the multiplicative group by ×3, q by ÷3, so q = p⁻¹ at every step. */
__attribute__((constructor)) static void aes_tables_init(void) {
  uint8_t p = 1, q = 1;
  do {
    p = (uint8_t)(p ^ (p << 1) ^ ((p & 0x80) ? 0x1B : 0));
    q ^= (uint8_t)(q << 1);
    q ^= (uint8_t)(q << 2);
    q ^= (uint8_t)(q << 4);
    if (q & 0x80) q ^= 0x09;
    uint8_t affine = (uint8_t)(q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4));
    sbox[p] = (uint8_t)(affine ^ 0x63);
  } while (p != 1);
  sbox[0] = 0x63;
  for (int i = 0; i < 256; i++) {
    inv_sbox[sbox[i]] = (uint8_t)i;
    mul9[i] = gmul((uint8_t)i, 9);
    mul11[i] = gmul((uint8_t)i, 11);
    mul13[i] = gmul((uint8_t)i, 13);
    mul14[i] = gmul((uint8_t)i, 14);
  }
}

uint8_t aes_sbox(uint8_t x) { return sbox[x]; }

static uint8_t xtime(uint8_t x) { return (uint8_t)((x << 1) ^ ((x & 0x80) ? 0x1B : 0)); }

static uint8_t gmul(uint8_t a, uint8_t b) {
  uint8_t r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return r;
}

void aes256_expand_key(aes256_key *key, const uint8_t raw[32]) {
  uint8_t *w = key->round_keys;
  memcpy(w, raw, 32);
  uint8_t rcon = 1;
  for (int i = 8; i < 60; i++) {
    uint8_t t[4];
    memcpy(t, w + (i - 1) * 4, 4);
    if (i % 8 == 0) {
      uint8_t first = t[0];
      t[0] = (uint8_t)(sbox[t[1]] ^ rcon);
      t[1] = sbox[t[2]];
      t[2] = sbox[t[3]];
      t[3] = sbox[first];
      rcon = xtime(rcon);
    } else if (i % 8 == 4) {
      for (int j = 0; j < 4; j++) t[j] = sbox[t[j]];
    }
    for (int j = 0; j < 4; j++) w[i * 4 + j] = (uint8_t)(w[(i - 8) * 4 + j] ^ t[j]);
  }
}

static void add_round_key(uint8_t s[16], const uint8_t *rk) {
  for (int i = 0; i < 16; i++) s[i] ^= rk[i];
}

/* State layout: s[c * 4 + r] is row r of column c (the input order of FIPS-197). */
static void inv_shift_rows(uint8_t s[16]) {
  uint8_t t[16];
  for (int c = 0; c < 4; c++)
    for (int r = 0; r < 4; r++) t[((c + r) % 4) * 4 + r] = s[c * 4 + r];
  memcpy(s, t, 16);
}

static void inv_mix_columns(uint8_t s[16]) {
  for (int c = 0; c < 4; c++) {
    uint8_t *col = s + c * 4;
    uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3];
    col[0] = (uint8_t)(mul14[a0] ^ mul11[a1] ^ mul13[a2] ^ mul9[a3]);
    col[1] = (uint8_t)(mul9[a0] ^ mul14[a1] ^ mul11[a2] ^ mul13[a3]);
    col[2] = (uint8_t)(mul13[a0] ^ mul9[a1] ^ mul14[a2] ^ mul11[a3]);
    col[3] = (uint8_t)(mul11[a0] ^ mul13[a1] ^ mul9[a2] ^ mul14[a3]);
  }
}

void aes256_decrypt_block(const aes256_key *key, const uint8_t in[16], uint8_t out[16]) {
  uint8_t s[16];
  memcpy(s, in, 16);
  add_round_key(s, key->round_keys + 14 * 16);
  for (int round = 13; round >= 1; round--) {
    inv_shift_rows(s);
    for (int i = 0; i < 16; i++) s[i] = inv_sbox[s[i]];
    add_round_key(s, key->round_keys + round * 16);
    inv_mix_columns(s);
  }
  inv_shift_rows(s);
  for (int i = 0; i < 16; i++) s[i] = inv_sbox[s[i]];
  add_round_key(s, key->round_keys);
  memcpy(out, s, 16);
}
