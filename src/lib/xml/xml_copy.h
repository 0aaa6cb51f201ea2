/*
 * xml_copy.h - a record and its document element copied into one block of
 * memory (internal), for -j N: the reader copies each record for a worker
 * to validate against the XSD (xsd_job.c). xmlDocCopyNode made some 120
 * small blocks per record on the reading thread that a worker then freed:
 * the copy was a quarter of the reading thread's instructions, and malloc
 * across threads made it dearer still. Here the nodes, names and texts of
 * the copy are laid out in a chunk or two, freed at once.
 *
 * The copy is what xmlDocCopyNode(root, doc, 2) with xmlDocCopyNode(node,
 * doc, 1) under it gives, node for node (names, texts, lines, attributes,
 * namespace declarations and bindings). Where that cannot be promised (a
 * namespace bound outside the two, such as xml:, adjacent text nodes that
 * libxml2's copy would merge, node types other than elements, text,
 * comments and PIs), xml_copy_record() declines and the caller copies with
 * libxml2.
 */
#ifndef THBX_XML_COPY_H
#define THBX_XML_COPY_H

#include <libxml/tree.h>

struct xml_copy {
  xmlDocPtr doc;   /* its document: the document element's copy, the record's under it */
  xmlNodePtr node; /* the record's copy */
  void *block;     /* every node, name and text of the copy: a list of chunks */
};

/* Copy record `node` under a copy of its parent, the document element
 * `root` (attributes and namespace declarations, no other children).
 * Returns 0, 1 when it declines (nothing made: copy with libxml2), or -1
 * out of memory. */
int xml_copy_record(struct xml_copy *c, xmlNodePtr root, xmlNodePtr node);
/* Free the copy (and whatever the validator hung on its document: IDs). */
void xml_copy_free(struct xml_copy *c);

#endif
