/*
 * stages.h - what the validation stages (stages.c) lend to tests (internal).
 */
#ifndef THBX_STAGES_H
#define THBX_STAGES_H

#include <stddef.h>

/* Does s[0..n) hold a C0 control character XML cannot carry (any below
 * U+0020 but tab, line feed and carriage return)? 1 yes, 0 no. */
int stages_text_has_control(const char *s, size_t n);

/* Could JSON text s[0..n) hold a string with such a character (the byte
 * itself, or a backslash that may escape one)? 0 means surely not. */
int stages_json_may_carry_control(const char *s, size_t n);

#endif
