/*
 * dataset_rules.h - the dataset-level rules of `thbx validate` (internal),
 * the checks that no schema can express because they look across records
 * or at the clock. docs/validate.md lists them:
 *   unique-record-id       record_id unique within the dataset (all inputs
 *                          of one run); the duplicate points at the first
 *   assistance-dates       assistance.end_date not before start_date
 *   event-date-not-future  event_date not after "today"
 * Memory: one hash set entry (the id and where it was first seen) per
 * distinct record_id; records themselves are never kept.
 */
#ifndef THBX_DATASET_RULES_H
#define THBX_DATASET_RULES_H

#include "internal.h"

#define DATASET_RULE_UNIQUE_ID "unique-record-id"
#define DATASET_RULE_ASSISTANCE_DATES "assistance-dates"
#define DATASET_RULE_EVENT_DATE "event-date-not-future"

/* At most one issue per rule and record. */
#define DATASET_MAX_ISSUES 3

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
int dataset_rules_new(struct dataset_rules **out, const char *today, thbx_error_t *err);
void dataset_rules_free(struct dataset_rules *rules);

/* The "YYYY-MM-DD" the rules compare event dates with. Borrowed. */
const char *dataset_rules_today(const struct dataset_rules *rules);

/* Check one record (an object; anything else is left to the schema) read
 * from `source` at line/column. Fills out[0..*count). THBX_ENOMEM only. */
int dataset_rules_check(struct dataset_rules *rules, const json_t *record, const char *source,
                        long line, long column, dataset_issue_t out[DATASET_MAX_ISSUES],
                        size_t *count, thbx_error_t *err);

/* Is s (len bytes) a real calendar date "YYYY-MM-DD"? */
int dataset_rules_is_date(const char *s, size_t len);

#endif
