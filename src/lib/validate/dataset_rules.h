/*
 * dataset_rules.h - the dataset-level rules of `thbx validate` (internal),
 * the checks that no schema can express because they look across records
 * or at the clock. Their fields come from the profile's x-thbx annotation
 * (profile/profile_rules.c); docs/validate.md lists them:
 *   id          the id field is unique within the dataset (all inputs of
 *               one run); the duplicate points at the first
 *   date-order  an end date not before its start date
 *   not-future  a date not after "today"
 * Memory: one hash set entry (the id and where it was first seen) per
 * distinct id; records themselves are never kept.
 */
#ifndef THBX_DATASET_RULES_H
#define THBX_DATASET_RULES_H

#include "profile.h"

struct dataset_rules;

/* One finding; every string is owned by the rules object and valid until the
 * next dataset_rules_check(). */
typedef struct dataset_issue {
  const char *rule;
  const char *instance_path;
  const char *message;
  const char *related_source; /* unique-record-id: where the id was first seen */
  long related_line, related_column;
} dataset_issue_t;

/* `today` is "YYYY-MM-DD"; NULL means the date now in UTC+14 (no time zone
 * is later, so a record dated today anywhere is never "in the future").
 * THBX_EINVAL when today is not a date. */
int dataset_rules_new(struct dataset_rules **out, const struct profile_rules *rules,
                      const char *today, thbx_error_t *err);
void dataset_rules_free(struct dataset_rules *rules);

/* The "YYYY-MM-DD" the rules compare event dates with. Borrowed. */
const char *dataset_rules_today(const struct dataset_rules *rules);

/* Check one record (an object; anything else is left to the schema) read
 * from `source` at line/column. *out is an array of *count findings (at
 * most one per rule) owned by the rules object. THBX_ENOMEM only. */
int dataset_rules_check(struct dataset_rules *rules, const json_t *record, const char *source,
                        long line, long column, const dataset_issue_t **out, size_t *count,
                        thbx_error_t *err);

/* Is s (len bytes) a real calendar date "YYYY-MM-DD"? */
int dataset_rules_is_date(const char *s, size_t len);

#endif
