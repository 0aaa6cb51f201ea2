/*
 * pseudonym.h - keyed pseudonyms inside libthbx (internal).
 *
 * The pseudonymiser itself is public (thbx.h: thbx_pseudonymiser_new,
 * thbx_pseudonymiser_from_key_file, thbx_pseudonymise, key ids). This header
 * adds what other parts of the library build on it: the mapping transform
 * `pseudonymise` calls thbx_pseudonymise() on a cell's text, and the
 * pipeline stage of `thbx pseudonymise` (pseudonymise_stage.c) replaces
 * values in place and drops fields.
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

/* Pseudonymise a JSON value in place: a string becomes the hex HMAC of its
 * bytes, an integer or a real the HMAC of its JSON text, an array has each
 * such item replaced; null stays null. *changed is set to 1 if anything was
 * replaced. Returns THBX_OK, THBX_EINVALID for a value that cannot be
 * pseudonymised (an object, a boolean: nothing is changed then),
 * THBX_ENOMEM or THBX_EIO. The value must not be shared with other threads. */
int privacy_pseudonymise_json(const thbx_pseudonymiser_t *p, json_t *parent, const char *key,
                              int *changed);

/* The stage of `thbx pseudonymise`: `fields` (dotted paths, "person.person_ref")
 * are pseudonymised, `drops` (dotted paths) removed, and an object left empty
 * by a drop is removed too. Stateless; sets raw_stale on every item it
 * changes. Paths and the pseudonymiser are copied / borrowed: `p` must
 * outlive the stage. The stage adds an issue (rule "pseudonymise") for a
 * value it cannot pseudonymise, so that the item is rejected, not leaked. */
int privacy_pseudonymise_stage_new(const thbx_pseudonymiser_t *p, const char *const *fields,
                                   size_t nfields, const char *const *drops, size_t ndrops,
                                   void **state, thbx_error_t *err);
extern const thbx_stage_ops_t privacy_pseudonymise_stage_ops;

#endif
