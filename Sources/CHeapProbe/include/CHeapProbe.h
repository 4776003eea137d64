// The C allocator's own count of bytes in use, for tests that compare a computed memory footprint with
// what the process really allocated (glibc's mallinfo2, which Swift's Glibc module does not expose).
#ifndef MURMUR_CHEAPPROBE_H
#define MURMUR_CHEAPPROBE_H

#include <stddef.h>

/// Bytes the allocator has handed out and not yet freed: small-block arena bytes plus mmap'd blocks.
size_t murmur_heap_bytes_in_use(void);

#endif
