// fbload entry point; everything lives in the fbload_engine library, and
// Faiss (a large static library) in fbload_faiss, registered here when built.
#include "cli.h"
#ifdef FBLOAD_WITH_FAISS
#include "workloads/faiss.h"
#endif

int main(int argc, char** argv)
{
#ifdef FBLOAD_WITH_FAISS
    fbload::registerFaissWorkload();
#endif
    return fbload::runCli(std::vector<std::string>(argv + 1, argv + argc));
}
