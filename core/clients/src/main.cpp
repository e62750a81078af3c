// fbload entry point; everything lives in the fbload_engine library.
#include "cli.h"

int main(int argc, char** argv)
{
    return fbload::runCli(std::vector<std::string>(argv + 1, argv + argc));
}
