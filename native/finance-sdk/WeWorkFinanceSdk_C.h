/*
 * The C ABI of WeCom's Finance SDK (会话内容存档, libWeWorkFinanceSdk_C.so), as declared by the official header
 * WeWorkFinanceSdk_C.h: same types, same functions, same return codes. This stand-in implements it against the
 * WeCom emulator (see README.md), so the product loads either library through the same FFI declarations.
 *
 * Return codes (official header comments):
 *   0 ok, 10000 参数错误 (bad parameter), 10001 网络错误 (network), 10002 数据解析失败 (data parse failure),
 *   10003 系统失败 (system failure), 10004 密钥错误导致加密失败, 10005 fileid错误, 10006 解密失败,
 *   10007 找不到消息加密版本的私钥, 10008 解析encrypt_key出错, 10009 ip非法, 10010 数据过期, 10011 证书错误.
 */
#ifndef WEWORK_FINANCE_SDK_C_H
#define WEWORK_FINANCE_SDK_C_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WEWORK_FINANCE_API __attribute__((visibility("default")))
#else
#define WEWORK_FINANCE_API
#endif

typedef struct WeWorkFinanceSdk_t WeWorkFinanceSdk_t;

/* SDK output: a buffer and its length. */
typedef struct Slice_t {
  char *buf;
  int len;
} Slice_t;

/* One piece of a media file: the data, the index to pass to the next call, and whether the file is complete. */
typedef struct MediaData {
  char *outindexbuf;
  int out_len;
  char *data;
  int data_len;
  int is_finish;
} MediaData_t;

WEWORK_FINANCE_API WeWorkFinanceSdk_t *NewSdk(void);

/* secret: the 聊天内容存档 Secret. 0 on success. */
WEWORK_FINANCE_API int Init(WeWorkFinanceSdk_t *sdk, const char *corpid, const char *secret);

/* Messages from seq + 1 on (seq: the largest seq seen, 0 at first), at most limit (≤ 1000); timeout in seconds.
 * proxy: e.g. http://10.0.0.1:8081; passwd: user:password for the proxy. chatDatas receives the JSON
 * {"errcode":0,"errmsg":"ok","chatdata":[{seq, msgid, publickey_ver, encrypt_random_key, encrypt_chat_msg}]}. */
WEWORK_FINANCE_API int GetChatData(WeWorkFinanceSdk_t *sdk, unsigned long long seq, unsigned int limit,
                                   const char *proxy, const char *passwd, int timeout, Slice_t *chatDatas);

/* encrypt_key: encrypt_random_key decrypted with the corp's RSA private key; encrypt_msg: encrypt_chat_msg.
 * msg receives the message JSON. */
WEWORK_FINANCE_API int DecryptData(const char *encrypt_key, const char *encrypt_msg, Slice_t *msg);

/* One piece (≤ 512 KB) of a media file: indexbuf empty at first, then the previous outindexbuf, until is_finish. */
WEWORK_FINANCE_API int GetMediaData(WeWorkFinanceSdk_t *sdk, const char *indexbuf, const char *sdkFileid,
                                    const char *proxy, const char *passwd, int timeout, MediaData_t *media_data);

WEWORK_FINANCE_API void DestroySdk(WeWorkFinanceSdk_t *sdk);

WEWORK_FINANCE_API Slice_t *NewSlice(void);
WEWORK_FINANCE_API void FreeSlice(Slice_t *slice);
WEWORK_FINANCE_API char *GetContentFromSlice(Slice_t *slice);
WEWORK_FINANCE_API int GetSliceLen(Slice_t *slice);

WEWORK_FINANCE_API MediaData_t *NewMediaData(void);
WEWORK_FINANCE_API void FreeMediaData(MediaData_t *media_data);
WEWORK_FINANCE_API char *GetOutIndexBuf(MediaData_t *media_data);
WEWORK_FINANCE_API char *GetData(MediaData_t *media_data);
WEWORK_FINANCE_API int GetIndexLen(MediaData_t *media_data);
WEWORK_FINANCE_API int GetDataLen(MediaData_t *media_data);
/* 1 when the file is complete, 0 otherwise. */
WEWORK_FINANCE_API int IsMediaDataFinish(MediaData_t *media_data);

#ifdef __cplusplus
}
#endif

#endif
