// fbload entry point; everything lives in the fbload_engine library, and
// Faiss (a large static library) in fbload_faiss, registered here when built.
#include "cli.h"
#ifdef FBLOAD_WITH_FAISS
#include "workloads/faiss.h"
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int main(int argc, char** argv)
{
#if defined(__GLIBC__)
    // Buffers of 1 MiB and more (a reply growing toward kMaxBufferedBytes,
    // bounds.h) always come from mmap and go back to the system when freed.
    // Otherwise glibc raises its mmap threshold to the size of the first such
    // buffer freed and keeps later ones in the heap, so a server that makes
    // fbload fill and drop 16 MiB buffers again and again ratchets RSS past
    // the bound docs/fbload.md states (seen: 85 MiB for 2 connections).
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
#ifdef FBLOAD_WITH_FAISS
    fbload::registerFaissWorkload();
#endif
    return fbload::runCli(std::vector<std::string>(argv + 1, argv + argc));
}
