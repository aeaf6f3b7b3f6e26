/* Static-link shim for libarchive's archive writers (tests only).
 *
 * In Debian's libarchive.a (3.6.2) the helper below lives in
 * archive_write_set_format.o, next to the format-code table that references
 * every writer, xar included; linking any writer statically therefore drags
 * in xar and with it libxml2 and ICU. Defining the helper here, in an object
 * linked directly (not from an archive), satisfies the reference first, so
 * that object is never pulled in. Same behaviour as libarchive's own. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>

#define EFTYPE_OR_INVAL EINVAL /* libarchive uses EFTYPE where it exists, else EINVAL */

void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry,
                                                const char *format) {
  archive_set_error(a, EFTYPE_OR_INVAL, "%s: %s format cannot archive file type 0%o",
                    archive_entry_pathname(entry), format, (unsigned)archive_entry_filetype(entry));
}
