/*
 * xml_text.h - what the text of an XML element or attribute means under a
 * profile's types (internal). One set of rules for reader_xml.c, which
 * applies them, and writer_xml.c, which writes only text that they read
 * back as the value it came from.
 */
#ifndef THBX_XML_TEXT_H
#define THBX_XML_TEXT_H

#include "profile.h"
#include "xml_guard.h" /* thbx_xml_install_loader */

enum xml_text_kind {
  XML_TEXT_STRING, /* the text itself, untouched */
  XML_TEXT_TRUE,
  XML_TEXT_FALSE,
  XML_TEXT_INTEGER, /* value->i */
  XML_TEXT_REAL,    /* value->d */
  XML_TEXT_BAD,     /* not of any type allowed here */
  XML_TEXT_RANGE    /* a number JSON cannot hold (INF, NaN, beyond a double or,
                       where only integers are allowed, beyond 64 bits) */
};

struct xml_text_value {
  json_int_t i;
  double d;
};

/* The meaning of text [t, t+n) where the schema allows `types` (THBX_TYPE_*
 * bits, scalars only). Booleans and numbers ignore surrounding blanks (XSD
 * collapses them); strings are kept exactly. */
enum xml_text_kind xml_text_classify(unsigned types, const char *t, size_t n,
                                     struct xml_text_value *value);

#endif
