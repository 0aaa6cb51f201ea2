/*
 * test_shape.c - the compiled shape of a profile (profile_shape.c): types,
 * $ref and allOf, xml annotations, leaves in schema order, lookups, cycles,
 * and the embedded thb-event-1.0 profile once it is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "profile.h"

#define SCHEMA THBX_SOURCE_DIR "/tests/data/csv/shape.schema.json"

static struct thbx_profile *load(const char *path) {
  thbx_profile_t *p = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  int rc = thbx_profile_load(path, &p, &err);
  if (rc != THBX_OK)
    fail_msg("cannot load %s: %s", path, err.text);
  assert_non_null(p);
  assert_non_null(p->shape);
  return p;
}

static void leaves_in_schema_order(void **state) {
  (void)state;
  struct thbx_profile *p = load(SCHEMA);
  const struct thbx_shape *root = p->shape;
  const char *want[] = {"id",
                        "count",
                        "ratio",
                        "flag",
                        "sex",
                        "mixed",
                        "person.name",
                        "person.recruitment.relation",
                        "person.recruitment.online",
                        "tags",
                        "years",
                        "places",
                        "extra.note",
                        "tree.label",
                        "tree.child"};
  size_t n = sizeof(want) / sizeof(*want);
  assert_int_equal(root->nleaves, n);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(root->leaves[i]->path, want[i]);
    assert_int_equal(root->leaves[i]->leaf_index, (long)i);
    assert_ptr_equal(thbx_shape_leaf(root, want[i]), root->leaves[i]);
  }
  assert_null(thbx_shape_leaf(root, "person"));
  assert_null(thbx_shape_leaf(root, "nope"));
  assert_int_equal(root->leaf_index, -1);
  thbx_profile_free(p);
}

static void types_refs_and_enums(void **state) {
  (void)state;
  struct thbx_profile *p = load(SCHEMA);
  const struct thbx_shape *root = p->shape;
  assert_int_equal(root->types, THBX_TYPE_OBJECT);
  assert_false(root->additional);
  assert_int_equal(thbx_shape_leaf(root, "count")->types, THBX_TYPE_INTEGER);
  assert_int_equal(thbx_shape_leaf(root, "ratio")->types, THBX_TYPE_NUMBER);
  assert_int_equal(thbx_shape_leaf(root, "flag")->types, THBX_TYPE_BOOLEAN);
  assert_int_equal(thbx_shape_leaf(root, "sex")->types, THBX_TYPE_STRING); /* from the enum */
  assert_int_equal(thbx_shape_leaf(root, "mixed")->types, THBX_TYPE_STRING | THBX_TYPE_INTEGER);
  /* person comes through $ref, its structure from its own properties */
  const struct thbx_shape *person = thbx_shape_prop(root, "person", 6);
  assert_non_null(person);
  assert_int_equal(person->types, THBX_TYPE_OBJECT);
  assert_int_equal(person->nprops, 2);
  assert_false(person->additional);
  assert_ptr_equal(person->parent, root);
  assert_string_equal(person->pointer, "/person");
  const struct thbx_shape *rel = thbx_shape_leaf(root, "person.recruitment.relation");
  assert_string_equal(rel->pointer, "/person/recruitment/relation");
  assert_string_equal(rel->name, "relation");
  assert_true(thbx_shape_prop(root, "extra", 5)->additional);
  /* arrays: items shape, sharing the array's path */
  const struct thbx_shape *years = thbx_shape_leaf(root, "years");
  assert_int_equal(years->types, THBX_TYPE_ARRAY);
  assert_non_null(years->items);
  assert_int_equal(years->items->types, THBX_TYPE_INTEGER);
  assert_string_equal(years->items->path, "years");
  assert_int_equal(years->items->leaf_index, -1);
  const struct thbx_shape *places = thbx_shape_leaf(root, "places");
  assert_int_equal(places->items->types, THBX_TYPE_OBJECT);
  assert_non_null(thbx_shape_prop(places->items, "name", 4));
  /* the recursive tree is cut where the cycle closes */
  const struct thbx_shape *child = thbx_shape_leaf(root, "tree.child");
  assert_int_equal(child->types, THBX_TYPE_OBJECT);
  assert_int_equal(child->nprops, 0);
  thbx_profile_free(p);
}

static void xml_annotations(void **state) {
  (void)state;
  struct thbx_profile *p = load(SCHEMA);
  const struct thbx_shape *root = p->shape;
  assert_string_equal(root->xml_name, "record");
  assert_string_equal(root->xml_root, "records");
  assert_string_equal(root->xml_namespace, "urn:test:1");
  const struct thbx_shape *id = thbx_shape_xml_child(root, "id", 1);
  assert_non_null(id);
  assert_true(id->xml_attribute);
  assert_null(thbx_shape_xml_child(root, "id", 0)); /* not an element */
  const struct thbx_shape *tags = thbx_shape_xml_child(root, "tags", 0);
  assert_non_null(tags);
  assert_true(tags->xml_wrapped);
  assert_string_equal(tags->items->xml_name, "tag");
  assert_string_equal(thbx_shape_leaf(root, "years")->items->xml_name, "item");
  assert_null(thbx_shape_xml_child(root, "nope", 0));
  thbx_profile_free(p);
}

static void prop_lookup_uses_length(void **state) {
  (void)state;
  struct thbx_profile *p = load(SCHEMA);
  const struct thbx_shape *root = p->shape;
  /* names are not NUL-terminated in the caller's buffer */
  assert_string_equal(thbx_shape_prop(root, "personXYZ", 6)->name, "person");
  assert_null(thbx_shape_prop(root, "perso", 5));
  assert_null(thbx_shape_prop(root, "persons", 7));
  for (size_t i = 0; i < root->nprops; i++) {
    const char *name = root->props[i]->name;
    assert_ptr_equal(thbx_shape_prop(root, name, strlen(name)), root->props[i]);
  }
  thbx_profile_free(p);
}

static int write_file(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  if (!fp)
    return -1;
  fputs(text, fp);
  return fclose(fp);
}

static void broken_ref_is_a_schema_error(void **state) {
  (void)state;
  char path[] = "/tmp/thbx-shape-XXXXXX.schema.json";
  int fd = mkstemps(path, 12);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(write_file(path, "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":"
                                    "\"#/$defs/missing\"}}}"),
                   0);
  thbx_profile_t *p = NULL;
  thbx_error_t err;
  thbx_error_clear(&err);
  assert_int_equal(thbx_profile_load(path, &p, &err), THBX_ESCHEMA);
  assert_null(p);
  assert_non_null(strstr(err.text, "#/$defs/missing"));
  /* an untyped property allows anything and is a leaf */
  assert_int_equal(write_file(path, "{\"properties\":{\"a\":{},\"b\":{\"const\":3}}}"), 0);
  assert_int_equal(thbx_profile_load(path, &p, &err), THBX_OK);
  assert_int_equal(p->shape->types, THBX_TYPE_OBJECT);
  assert_int_equal(p->shape->nleaves, 2);
  assert_int_equal(p->shape->leaves[0]->types, THBX_TYPE_ANY);
  assert_int_equal(p->shape->leaves[1]->types, THBX_TYPE_INTEGER);
  thbx_profile_free(p);
  unlink(path);
}

/* The embedded profile: the CSV columns and XML names of the model. */
static void embedded_profile_columns(void **state) {
  (void)state;
  if (!thbx_resource("thb-event-1.0.schema.json", NULL))
    fail_msg("the embedded thb-event-1.0 schema is missing");
  struct thbx_profile *p = load(THBX_DEFAULT_PROFILE);
  const struct thbx_shape *root = p->shape;
  assert_true(root->nleaves >= 40);
  assert_string_equal(root->leaves[0]->path, "record_id");
  const struct thbx_shape *sex = thbx_shape_leaf(root, "person.sex");
  assert_non_null(sex);
  assert_true(sex->types & THBX_TYPE_STRING);
  const struct thbx_shape *rel = thbx_shape_leaf(root, "exploitation.recruitment.relation");
  assert_non_null(rel);
  const struct thbx_shape *forms = thbx_shape_leaf(root, "exploitation.forms");
  assert_non_null(forms);
  assert_true(forms->types & THBX_TYPE_ARRAY);
  assert_non_null(forms->items);
  assert_string_equal(forms->items->xml_name, "form");
  assert_true(thbx_shape_leaf(root, "exploitation.start_year")->types & THBX_TYPE_INTEGER);
  assert_string_equal(root->xml_root, "records");
  assert_string_equal(root->xml_name, "record");
  const struct thbx_shape *id = thbx_shape_xml_child(root, "id", 1);
  assert_non_null(id);
  assert_string_equal(id->name, "record_id");
  thbx_profile_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(leaves_in_schema_order),
      cmocka_unit_test(types_refs_and_enums),
      cmocka_unit_test(xml_annotations),
      cmocka_unit_test(prop_lookup_uses_length),
      cmocka_unit_test(broken_ref_is_a_schema_error),
      cmocka_unit_test(embedded_profile_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
