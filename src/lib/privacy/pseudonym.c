/*
 * pseudonym.c - keyed pseudonyms: HMAC-SHA256 through OpenSSL 3's EVP_MAC,
 * per-recipient keys through HKDF (EVP_KDF), key files and key ids.
 *
 * A pseudonymiser holds one keyed HMAC context made at creation; every call
 * duplicates it (EVP_MAC_CTX_dup only reads the template), so one
 * pseudonymiser serves any number of threads, as the pipeline's stateless
 * stages and the mapping transform need. The key bytes are wiped on free.
 */
#include "pseudonym.h"

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct thbx_pseudonymiser {
  EVP_MAC *mac;
  EVP_MAC_CTX *keyed; /* template: initialised with the key, never updated */
  char key_id[THBX_KEY_ID_LENGTH + 1];
  char derived_id[THBX_KEY_ID_LENGTH + 1];
  int derived;
};

static const char hexdigits[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hexdigits[in[i] >> 4];
    out[2 * i + 1] = hexdigits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

static int key_id(const unsigned char *key, size_t len, char out[THBX_KEY_ID_LENGTH + 1]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (EVP_Digest(key, len, md, &mdlen, EVP_sha256(), NULL) != 1)
    return -1;
  to_hex(md, THBX_KEY_ID_LENGTH / 2, out);
  OPENSSL_cleanse(md, sizeof(md));
  return 0;
}

/* HKDF-SHA256 (RFC 5869), extract and expand, no salt, info = label. */
static int derive(const unsigned char *key, size_t len, const char *label, unsigned char out[32]) {
  EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  if (!kdf)
    return -1;
  EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (!ctx)
    return -1;
  OSSL_PARAM params[4];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, len);
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)label, strlen(label));
  params[3] = OSSL_PARAM_construct_end();
  int ok = EVP_KDF_derive(ctx, out, 32, params) == 1;
  EVP_KDF_CTX_free(ctx);
  return ok ? 0 : -1;
}

int thbx_pseudonymiser_new(thbx_pseudonymiser_t **out, const unsigned char *key, size_t length,
                           const char *derive_label, thbx_error_t *err) {
  if (out)
    *out = NULL;
  if (key && length < THBX_KEY_MIN_BYTES)
    return thbx_error_set(err, THBX_EINVAL, "the key has %zu bytes; at least %d are needed", length,
                          THBX_KEY_MIN_BYTES);
  return privacy_pseudonymiser_new_any_length(out, key, length, derive_label, err);
}

int privacy_pseudonymiser_new_any_length(thbx_pseudonymiser_t **out, const unsigned char *key,
                                         size_t length, const char *derive_label,
                                         thbx_error_t *err) {
  if (!out || !key)
    return thbx_error_set(err, THBX_EINVAL, "no key");
  *out = NULL;
  if (length == 0)
    return thbx_error_set(err, THBX_EINVAL, "the key has %zu bytes; at least %d are needed", length,
                          THBX_KEY_MIN_BYTES);
  if (derive_label && !derive_label[0])
    return thbx_error_set(err, THBX_EINVAL, "the derivation label is empty");
  struct thbx_pseudonymiser *p = calloc(1, sizeof(*p));
  if (!p)
    return thbx_error_set(err, THBX_ENOMEM, "out of memory");
  unsigned char derived[32];
  const unsigned char *use = key;
  size_t use_len = length;
  if (key_id(key, length, p->key_id) != 0)
    goto crypto;
  if (derive_label) {
    if (derive(key, length, derive_label, derived) != 0)
      goto crypto;
    use = derived;
    use_len = sizeof(derived);
    p->derived = 1;
    if (key_id(derived, sizeof(derived), p->derived_id) != 0)
      goto crypto;
  }
  p->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (!p->mac)
    goto crypto;
  p->keyed = EVP_MAC_CTX_new(p->mac);
  if (!p->keyed)
    goto crypto;
  OSSL_PARAM params[2];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  if (EVP_MAC_init(p->keyed, use, use_len, params) != 1)
    goto crypto;
  OPENSSL_cleanse(derived, sizeof(derived));
  *out = p;
  return THBX_OK;
crypto:
  OPENSSL_cleanse(derived, sizeof(derived));
  thbx_pseudonymiser_free(p);
  return thbx_error_set(err, THBX_EIO, "OpenSSL cannot compute HMAC-SHA256 or HKDF here");
}

int thbx_pseudonymiser_from_key_file(thbx_pseudonymiser_t **out, const char *path,
                                     const char *derive_label, thbx_error_t *err) {
  if (!out || !path)
    return thbx_error_set(err, THBX_EINVAL, "no key file");
  *out = NULL;
  int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    thbx_error_at(err, path, 0, 0);
    return thbx_error_set(err, THBX_EIO, "cannot open the key file: %s", strerror(e));
  }
  thbx_error_at(err, path, 0, 0);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return thbx_error_set(err, THBX_EINVAL, "the key file is not a regular file");
  }
  if (st.st_mode & (S_IRGRP | S_IROTH)) {
    close(fd);
    return thbx_error_set(err, THBX_EINVAL,
                          "the key file is readable by %s (mode %04o); make it private: "
                          "chmod 600 %.100s",
                          (st.st_mode & S_IRGRP) && (st.st_mode & S_IROTH) ? "group and others"
                          : (st.st_mode & S_IRGRP)                         ? "its group"
                                                                           : "others",
                          (unsigned)(st.st_mode & 07777), path);
  }
  unsigned char buf[THBX_KEY_MAX_BYTES + 2];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof(buf) - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      OPENSSL_cleanse(buf, sizeof(buf));
      return thbx_error_set(err, THBX_EIO, "cannot read the key file: %s", strerror(e));
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len == sizeof(buf))
      break;
  }
  close(fd);
  if (len > 0 && buf[len - 1] == '\n')
    len--;
  int rc;
  if (len > THBX_KEY_MAX_BYTES)
    rc = thbx_error_set(err, THBX_EINVAL, "the key file is longer than %d bytes: not a key",
                        THBX_KEY_MAX_BYTES);
  else if (len < THBX_KEY_MIN_BYTES)
    rc = thbx_error_set(err, THBX_EINVAL,
                        "the key has %zu bytes (after one trailing newline is stripped); at "
                        "least %d are needed: head -c 32 /dev/urandom > KEY",
                        len, THBX_KEY_MIN_BYTES);
  else {
    rc = thbx_pseudonymiser_new(out, buf, len, derive_label, err);
    if (rc == THBX_OK)
      thbx_error_clear(err);
  }
  OPENSSL_cleanse(buf, sizeof(buf));
  return rc;
}

int thbx_pseudonymise(const thbx_pseudonymiser_t *p, const char *value, size_t length,
                      char out_hex[THBX_PSEUDONYM_HEX_LENGTH + 1]) {
  if (!p || (!value && length))
    return THBX_EINVAL;
  EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(p->keyed);
  if (!ctx)
    return THBX_ENOMEM;
  unsigned char mac[32];
  size_t maclen = 0;
  int ok = EVP_MAC_update(ctx, (const unsigned char *)(value ? value : ""), length) == 1 &&
           EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) == 1 && maclen == sizeof(mac);
  EVP_MAC_CTX_free(ctx);
  if (!ok)
    return THBX_EIO;
  to_hex(mac, sizeof(mac), out_hex);
  return THBX_OK;
}

const char *thbx_pseudonymiser_key_id(const thbx_pseudonymiser_t *p) {
  return p ? p->key_id : NULL;
}

const char *thbx_pseudonymiser_derived_key_id(const thbx_pseudonymiser_t *p) {
  return p && p->derived ? p->derived_id : NULL;
}

void thbx_pseudonymiser_free(thbx_pseudonymiser_t *p) {
  if (!p)
    return;
  EVP_MAC_CTX_free(p->keyed); /* OpenSSL cleanses the key it holds */
  EVP_MAC_free(p->mac);
  OPENSSL_cleanse(p, sizeof(*p));
  free(p);
}

int privacy_pseudonymise_json(const thbx_pseudonymiser_t *p, json_t *parent, const char *key,
                              int *changed) {
  json_t *v = json_object_get(parent, key);
  if (!v || json_is_null(v))
    return THBX_OK;
  char hex[THBX_PSEUDONYM_HEX_LENGTH + 1];
  if (json_is_array(v)) {
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      if (!json_is_string(item) && !json_is_number(item) && !json_is_null(item))
        return THBX_EINVALID;
    }
    json_array_foreach(v, i, item) {
      if (json_is_null(item))
        continue;
      char *text = NULL;
      int rc;
      if (json_is_string(item))
        rc = thbx_pseudonymise(p, json_string_value(item), json_string_length(item), hex);
      else if (!(text = json_dumps(item, JSON_ENCODE_ANY | JSON_COMPACT)))
        return THBX_ENOMEM;
      else
        rc = thbx_pseudonymise(p, text, strlen(text), hex);
      free(text);
      if (rc != THBX_OK)
        return rc;
      if (json_array_set_new(v, i, json_string(hex)) != 0)
        return THBX_ENOMEM;
      *changed = 1;
    }
    return THBX_OK;
  }
  int rc;
  if (json_is_string(v)) {
    rc = thbx_pseudonymise(p, json_string_value(v), json_string_length(v), hex);
  } else if (json_is_number(v)) {
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text)
      return THBX_ENOMEM;
    rc = thbx_pseudonymise(p, text, strlen(text), hex);
    free(text);
  } else {
    return THBX_EINVALID;
  }
  if (rc != THBX_OK)
    return rc;
  if (json_object_set_new(parent, key, json_string(hex)) != 0)
    return THBX_ENOMEM;
  *changed = 1;
  return THBX_OK;
}
