/*
 * version.c - thbx_version_info(): what this libthbx is and runs with, for
 * `thbx --version` and bug reports. The library versions are asked of the
 * libraries at run time (the shared objects actually loaded), not taken
 * from the headers thbx was compiled with.
 */
#include "internal.h"

#include <libexslt/exslt.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlversion.h>
#include <libxslt/xslt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yajl/yajl_version.h>

/* libxml2, libxslt and yajl give MMmmpp as a number: "2.9.14". */
static json_t *dotted(long v) {
  char s[32];
  snprintf(s, sizeof(s), "%ld.%ld.%ld", v / 10000, v / 100 % 100, v % 100);
  return json_string(s);
}

json_t *thbx_version_info(void) {
  json_t *o = json_object(), *profiles = json_array();
  int rc = !o || !profiles;
  for (size_t i = 0; !rc && thbx_profile_embedded_name(i); i++)
    rc |= json_array_append_new(profiles, json_string(thbx_profile_embedded_name(i)));
  if (rc) {
    json_decref(o);
    json_decref(profiles);
    return NULL;
  }
  rc |= json_object_set_new(o, "thbx", json_string(THBX_VERSION));
  rc |= json_object_set_new(o, "profiles", profiles);
  rc |= json_object_set_new(o, "libxml2", dotted(atol(xmlParserVersion)));
  rc |= json_object_set_new(o, "libxslt", dotted(xsltLibxsltVersion));
  rc |= json_object_set_new(o, "libexslt", dotted(exsltLibexsltVersion));
  rc |= json_object_set_new(o, "jansson", json_string(jansson_version_str()));
  rc |= json_object_set_new(o, "yajl", dotted(yajl_version()));
  char pcre[64] = "";
  if (pcre2_config(PCRE2_CONFIG_VERSION, pcre) < 0)
    pcre[0] = '\0';
  char *space = strchr(pcre, ' '); /* "10.42 2022-12-11": the version */
  if (space)
    *space = '\0';
  rc |= json_object_set_new(o, "pcre2", json_string(pcre));
  rc |= json_object_set_new(o, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION_STRING)));
  if (rc) {
    json_decref(o);
    return NULL;
  }
  return o;
}
