/*
 * pseudonym.h - keyed pseudonyms inside libthbx (internal).
 *
 * The pseudonymiser itself is public (thbx.h: thbx_pseudonymiser_new,
 * thbx_pseudonymiser_from_key_file, thbx_pseudonymise, key ids). This header
 * adds what other parts of the library build on it: the mapping transform
 * `pseudonymise` calls thbx_pseudonymise() on a cell's text, and the
 * pipeline stage of `thbx pseudonymise` (pseudonymise_stage.c,
 * thbx_pseudonymise_stage_new) replaces values in place and drops fields.
 *
 * Use from a mapping transform (one pseudonymiser per run, shared by every
 * thread; it is read-only once made):
 *
 *   thbx_pseudonymiser_t *p;
 *   if (thbx_pseudonymiser_new(&p, key, key_len, label_or_NULL, err) != THBX_OK) ...
 *   char hex[THBX_PSEUDONYM_HEX_LENGTH + 1];
 *   if (thbx_pseudonymise(p, value, value_len, hex) != THBX_OK) ...
 *   ... json_string(hex) ...
 *   thbx_pseudonymiser_free(p);
 *
 * Whoever replaces a value with its pseudonym must set item->raw_stale = 1:
 * no output may copy the input's bytes then.
 */
#ifndef THBX_PSEUDONYM_H
#define THBX_PSEUDONYM_H

#include "thbx.h"

/* thbx_pseudonymiser_new without the minimum key length (at least 1 byte),
 * for the RFC 4231 test vectors, whose keys are short. Never for data. */
int privacy_pseudonymiser_new_any_length(thbx_pseudonymiser_t **out, const unsigned char *key,
                                         size_t length, const char *derive_label,
                                         thbx_error_t *err);

/* Pseudonymise a JSON value in place: a string becomes the hex HMAC of its
 * bytes, an integer or a real the HMAC of its JSON text, an array has each
 * such item replaced; null stays null. *changed is set to 1 if anything was
 * replaced. Returns THBX_OK, THBX_EINVALID for a value that cannot be
 * pseudonymised (an object, a boolean: nothing is changed then),
 * THBX_ENOMEM or THBX_EIO. The value must not be shared with other threads. */
int privacy_pseudonymise_json(const thbx_pseudonymiser_t *p, json_t *parent, const char *key,
                              int *changed);

/* The stage itself is public: thbx_pseudonymise_stage_new() in thbx.h. */

#endif
