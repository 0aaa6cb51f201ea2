/*
 * issue_merge.h - the offending value of an issue and one error per fault
 * (issue_merge.c; internal).
 */
#ifndef THBX_ISSUE_MERGE_H
#define THBX_ISSUE_MERGE_H

#include "internal.h"

/* The value at `pointer` in `record` as JSON text (malloc'ed) when it is
 * the fault of an issue with `rule`: a string, number, boolean or null, or
 * an object or array for type, enum and const. NULL otherwise. */
char *issue_value_at(const json_t *record, const char *pointer, const char *rule);

/* Drop each XSD issue of an item that a JSON Schema or unreadable issue of
 * the same item also reports (the same field, or an unexpected element that
 * the JSON Schema does not allow on its parent); the one kept takes the
 * XSD's line and column when it sits at the record's start and the XSD's
 * value when it has none. Issues keep their order. The pipeline calls it
 * before the sinks see the item. */
void issue_merge_xsd(thbx_item_t *item);

#endif
