/*
 * A stand-in for WeCom's libWeWorkFinanceSdk_C.so: the official C ABI, fed by the WeCom emulator over HTTP.
 *
 * The endpoint is read from WECOM_FINANCE_STANDIN_URL at Init (e.g. http://127.0.0.1:3000/emulator/finance-sdk).
 * Every call is one POST to <endpoint>/init, /chatdata or /media carrying the corpid and secret; the emulator
 * answers with the SDK return code in `X-Finance-Ret` and the payload as the body (README.md describes the wire).
 * DecryptData runs locally: AES-256-CBC, key = the 32-byte random key, IV = its first 16 bytes, PKCS#7 padding
 * to a multiple of 32 bytes (the cipher WeCom documents for its callbacks, wecom-protocol.md §1.3; the real SDK's
 * inner format is not published).
 */
#include "WeWorkFinanceSdk_C.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aes.h"
#include "codec.h"
#include "http.h"

enum {
  SDK_OK = 0,
  SDK_BAD_PARAM = 10000,
  SDK_NETWORK = 10001,
  SDK_PARSE = 10002,
  SDK_SYSTEM = 10003,
  SDK_DECRYPT = 10006,
  SDK_BAD_KEY = 10008,
};

#define ENDPOINT_ENV "WECOM_FINANCE_STANDIN_URL"
#define MAX_LIMIT 1000u
#define INIT_TIMEOUT_SECONDS 10
#define RANDOM_KEY_BYTES 32
#define PAD_BLOCK 32

struct WeWorkFinanceSdk_t {
  int initialized;
  char *corpid;
  char *secret;
  http_url endpoint;
};

static char *copy_string(const char *s) {
  size_t n = strlen(s);
  char *out = malloc(n + 1);
  if (out) memcpy(out, s, n + 1);
  return out;
}

WeWorkFinanceSdk_t *NewSdk(void) { return calloc(1, sizeof(WeWorkFinanceSdk_t)); }

void DestroySdk(WeWorkFinanceSdk_t *sdk) {
  if (!sdk) return;
  free(sdk->corpid);
  free(sdk->secret);
  free(sdk);
}

/*
 * One request to the emulator. Returns the SDK code: the transport's (10000 proxy, 10001 network, 10002 not
 * HTTP), 10003 for a 5xx, 10000 for a 400 (the request itself was wrong), 10002 for any other unexpected answer,
 * else the emulator's X-Finance-Ret. On 0 the response is the caller's to free.
 */
static int call_emulator(const http_url *endpoint, const char *op, const char *form, const char *proxy,
                         const char *passwd, int timeout, http_response *res) {
  int rc = http_post_form(endpoint, op, form, proxy, passwd, timeout, res);
  if (rc != SDK_OK) return rc;
  /* Fault injection: the emulator asks the library to crash, as a faulty native SDK would. */
  if (res->abort_requested) abort();
  if (res->status == 400) rc = SDK_BAD_PARAM;
  else if (res->status >= 500) rc = SDK_SYSTEM;
  else if (res->status != 200 || !res->has_ret) rc = SDK_PARSE;
  else rc = res->ret;
  if (rc != SDK_OK) http_response_free(res);
  return rc;
}

int Init(WeWorkFinanceSdk_t *sdk, const char *corpid, const char *secret) {
  if (!sdk || !corpid || !*corpid || !secret || !*secret) return SDK_BAD_PARAM;
  http_url endpoint;
  if (http_parse_url(getenv(ENDPOINT_ENV), &endpoint) != 0) return SDK_BAD_PARAM;

  strbuf form;
  sb_init(&form);
  sb_append_form(&form, "corpid", corpid);
  sb_append_form(&form, "secret", secret);
  char *body = sb_take(&form, NULL);
  if (!body) return SDK_SYSTEM;
  http_response res;
  int rc = call_emulator(&endpoint, "/init", body, NULL, NULL, INIT_TIMEOUT_SECONDS, &res);
  free(body);
  if (rc != SDK_OK) return rc;
  http_response_free(&res);

  char *corp_copy = copy_string(corpid);
  char *secret_copy = copy_string(secret);
  if (!corp_copy || !secret_copy) {
    free(corp_copy);
    free(secret_copy);
    return SDK_SYSTEM;
  }
  free(sdk->corpid);
  free(sdk->secret);
  sdk->corpid = corp_copy;
  sdk->secret = secret_copy;
  sdk->endpoint = endpoint;
  sdk->initialized = 1;
  return SDK_OK;
}

static void set_slice(Slice_t *slice, char *buf, size_t len) {
  free(slice->buf);
  slice->buf = buf;
  slice->len = (int)len;
}

int GetChatData(WeWorkFinanceSdk_t *sdk, unsigned long long seq, unsigned int limit, const char *proxy,
                const char *passwd, int timeout, Slice_t *chatDatas) {
  if (!sdk || !sdk->initialized || !chatDatas || limit == 0 || limit > MAX_LIMIT || timeout <= 0)
    return SDK_BAD_PARAM;
  char number[32];
  strbuf form;
  sb_init(&form);
  sb_append_form(&form, "corpid", sdk->corpid);
  sb_append_form(&form, "secret", sdk->secret);
  snprintf(number, sizeof(number), "%llu", seq);
  sb_append_form(&form, "seq", number);
  snprintf(number, sizeof(number), "%u", limit);
  sb_append_form(&form, "limit", number);
  char *body = sb_take(&form, NULL);
  if (!body) return SDK_SYSTEM;
  http_response res;
  int rc = call_emulator(&sdk->endpoint, "/chatdata", body, proxy, passwd, timeout, &res);
  free(body);
  if (rc != SDK_OK) return rc;
  set_slice(chatDatas, res.body, res.body_len);
  res.body = NULL;
  http_response_free(&res);
  return SDK_OK;
}

int GetMediaData(WeWorkFinanceSdk_t *sdk, const char *indexbuf, const char *sdkFileid, const char *proxy,
                 const char *passwd, int timeout, MediaData_t *media_data) {
  if (!sdk || !sdk->initialized || !sdkFileid || !*sdkFileid || !media_data || timeout <= 0) return SDK_BAD_PARAM;
  strbuf form;
  sb_init(&form);
  sb_append_form(&form, "corpid", sdk->corpid);
  sb_append_form(&form, "secret", sdk->secret);
  sb_append_form(&form, "sdkfileid", sdkFileid);
  sb_append_form(&form, "indexbuf", indexbuf ? indexbuf : "");
  char *body = sb_take(&form, NULL);
  if (!body) return SDK_SYSTEM;
  http_response res;
  int rc = call_emulator(&sdk->endpoint, "/media", body, proxy, passwd, timeout, &res);
  free(body);
  if (rc != SDK_OK) return rc;
  char *index = res.outindexbuf ? res.outindexbuf : copy_string("");
  if (!index) {
    http_response_free(&res);
    return SDK_SYSTEM;
  }
  free(media_data->outindexbuf);
  free(media_data->data);
  media_data->outindexbuf = index;
  media_data->out_len = (int)strlen(index);
  media_data->data = res.body;
  media_data->data_len = (int)res.body_len;
  media_data->is_finish = res.is_finish;
  res.outindexbuf = NULL;
  res.body = NULL;
  http_response_free(&res);
  return SDK_OK;
}

int DecryptData(const char *encrypt_key, const char *encrypt_msg, Slice_t *msg) {
  if (!encrypt_key || !encrypt_msg || !msg) return SDK_BAD_PARAM;
  if (strlen(encrypt_key) != RANDOM_KEY_BYTES) return SDK_BAD_KEY;
  unsigned char *cipher = NULL;
  size_t cipher_len = 0;
  if (base64_decode(encrypt_msg, strlen(encrypt_msg), &cipher, &cipher_len) != 0) return SDK_DECRYPT;
  if (cipher_len == 0 || cipher_len % 16 != 0) {
    free(cipher);
    return SDK_DECRYPT;
  }
  aes256_key key;
  aes256_expand_key(&key, (const uint8_t *)encrypt_key);
  uint8_t previous[16];
  memcpy(previous, encrypt_key, 16);
  char *plain = malloc(cipher_len + 1);
  if (!plain) {
    free(cipher);
    return SDK_SYSTEM;
  }
  for (size_t off = 0; off < cipher_len; off += 16) {
    uint8_t block[16];
    aes256_decrypt_block(&key, cipher + off, block);
    for (int i = 0; i < 16; i++) plain[off + i] = (char)(block[i] ^ previous[i]);
    memcpy(previous, cipher + off, 16);
  }
  free(cipher);
  memset(&key, 0, sizeof(key));
  unsigned pad = (unsigned char)plain[cipher_len - 1];
  int bad = pad < 1 || pad > PAD_BLOCK || pad > cipher_len;
  for (unsigned i = 1; !bad && i <= pad; i++) bad = (unsigned char)plain[cipher_len - i] != pad;
  if (bad) {
    free(plain);
    return SDK_DECRYPT;
  }
  size_t len = cipher_len - pad;
  plain[len] = '\0';
  set_slice(msg, plain, len);
  return SDK_OK;
}

Slice_t *NewSlice(void) { return calloc(1, sizeof(Slice_t)); }

void FreeSlice(Slice_t *slice) {
  if (!slice) return;
  free(slice->buf);
  free(slice);
}

char *GetContentFromSlice(Slice_t *slice) { return slice ? slice->buf : NULL; }

int GetSliceLen(Slice_t *slice) { return slice ? slice->len : 0; }

MediaData_t *NewMediaData(void) { return calloc(1, sizeof(MediaData_t)); }

void FreeMediaData(MediaData_t *media_data) {
  if (!media_data) return;
  free(media_data->outindexbuf);
  free(media_data->data);
  free(media_data);
}

char *GetOutIndexBuf(MediaData_t *media_data) { return media_data ? media_data->outindexbuf : NULL; }

char *GetData(MediaData_t *media_data) { return media_data ? media_data->data : NULL; }

int GetIndexLen(MediaData_t *media_data) { return media_data ? media_data->out_len : 0; }

int GetDataLen(MediaData_t *media_data) { return media_data ? media_data->data_len : 0; }

int IsMediaDataFinish(MediaData_t *media_data) { return media_data ? media_data->is_finish : 0; }
