/* ICU stand-ins for a static link of libxml2 (needed by wimlib, which keeps
 * a WIM's image metadata as XML).
 *
 * Debian's libxml2.a is built with ICU and calls seven ICU functions, all
 * from encoding.c, to convert legacy encodings that iconv does not handle.
 * Linking the real ICU would add libicuuc.a and the 31 MB libicudata.a to
 * build/lifeboat. These stand-ins answer "converter unavailable": libxml2's
 * openIcuConverter() then fails cleanly and the encoding is reported as
 * unsupported. lifeboat never needs one: the XML inside a WIM is UTF-16LE,
 * which libxml2 decodes natively, without ICU or iconv.
 *
 * ICU versions its symbols ("ucnv_open_72"); CMake reads the suffix Debian's
 * libxml2.a uses and passes it as LIFEBOAT_ICU_SUFFIX. The signatures mirror
 * <unicode/ucnv.h> with opaque pointers so no ICU header is needed. */
#include <stddef.h>
#include <stdint.h>

#ifndef LIFEBOAT_ICU_SUFFIX
#error "LIFEBOAT_ICU_SUFFIX (for example _72) must be defined by the build"
#endif
#define LB_PASTE2(a, b) a##b
#define LB_PASTE(a, b) LB_PASTE2(a, b)
#define LB_ICU(name) LB_PASTE(name, LIFEBOAT_ICU_SUFFIX)

typedef int UErrorCode;                  /* ICU's enum; > 0 means failure */
enum { kUnsupportedError = 16 };         /* U_UNSUPPORTED_ERROR */
typedef void (*AnyCallback)(void);       /* UConverterToUCallback / FromUCallback */

void *LB_ICU(ucnv_open)(const char *name, UErrorCode *err) {
  (void)name;
  if (err) *err = kUnsupportedError;
  return NULL;
}

void LB_ICU(ucnv_close)(void *converter) { (void)converter; }

void LB_ICU(ucnv_setToUCallBack)(void *converter, AnyCallback action, const void *context, AnyCallback *old_action,
                                 const void **old_context, UErrorCode *err) {
  (void)converter, (void)action, (void)context, (void)old_action, (void)old_context;
  if (err) *err = kUnsupportedError;
}

void LB_ICU(ucnv_setFromUCallBack)(void *converter, AnyCallback action, const void *context, AnyCallback *old_action,
                                   const void **old_context, UErrorCode *err) {
  (void)converter, (void)action, (void)context, (void)old_action, (void)old_context;
  if (err) *err = kUnsupportedError;
}

void LB_ICU(ucnv_convertEx)(void *target_cnv, void *source_cnv, char **target, const char *target_limit,
                            const char **source, const char *source_limit, uint16_t *pivot_start,
                            uint16_t **pivot_source, uint16_t **pivot_target, const uint16_t *pivot_limit,
                            int8_t reset, int8_t flush, UErrorCode *err) {
  (void)target_cnv, (void)source_cnv, (void)target, (void)target_limit, (void)source, (void)source_limit;
  (void)pivot_start, (void)pivot_source, (void)pivot_target, (void)pivot_limit, (void)reset, (void)flush;
  if (err) *err = kUnsupportedError;
}

/* libxml2 only takes the address of these two (as the "stop on error"
 * actions); they are never called, because no converter ever opens. */
void LB_ICU(UCNV_TO_U_CALLBACK_STOP)(const void *context, void *args, const char *units, int32_t length,
                                     int reason, UErrorCode *err) {
  (void)context, (void)args, (void)units, (void)length, (void)reason;
  if (err) *err = kUnsupportedError;
}

void LB_ICU(UCNV_FROM_U_CALLBACK_STOP)(const void *context, void *args, const uint16_t *units, int32_t length,
                                       int32_t code_point, int reason, UErrorCode *err) {
  (void)context, (void)args, (void)units, (void)length, (void)code_point, (void)reason;
  if (err) *err = kUnsupportedError;
}
